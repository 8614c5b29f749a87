import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localRunSettings } from '../../../src/cli/local-settings.ts';

describe('localRunSettings: retries', () => {
  it('a local run retries nothing unless --retry says so, whatever PISTAGES_DEFAULT_RETRY is', () => {
    const plain = localRunSettings({}, { PISTAGES_DEFAULT_RETRY: '3' });
    assert.ok(!('errors' in plain));
    assert.equal(plain.defaultRetry, 0);
    const asked = localRunSettings({ retry: '2' }, { PISTAGES_DEFAULT_RETRY: '3' });
    assert.ok(!('errors' in asked));
    assert.equal(asked.defaultRetry, 2);
  });

  it('a bad --retry is reported under the flag’s name', () => {
    const bad = localRunSettings({ retry: '-1' }, {});
    assert.ok('errors' in bad);
    assert.match(bad.errors[0] ?? '', /^--retry: /);
  });
});
