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

describe('localRunSettings: operator limits', () => {
  it('defaults and maxima are those of a server, from the same variables', () => {
    const plain = localRunSettings({}, {});
    assert.ok(!('errors' in plain));
    assert.equal(plain.defaultMemoryBytes, 4 * 1024 ** 3);
    assert.equal(plain.defaultPids, 1024);
    assert.equal(plain.defaultCpus, undefined);
    assert.equal(plain.maxMemoryBytes, 16 * 1024 ** 3);
    assert.equal(plain.maxJobBytes, 512 * 1024);
    const set = localRunSettings({}, { PISTAGES_MAX_MEMORY: 'off', PISTAGES_DEFAULT_CPUS: '1.5', PISTAGES_MAX_TIMEOUT: '2h' });
    assert.ok(!('errors' in set));
    assert.equal(set.maxMemoryBytes, undefined);
    assert.equal(set.defaultCpus, 1.5);
    assert.equal(set.maxTimeoutMs, 2 * 3_600_000);
  });
});
