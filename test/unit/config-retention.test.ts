import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('PISTAGES_RETENTION and PISTAGES_RETENTION_RUNS', () => {
  it('default to 90 days of logs, runs kept', () => {
    const config = loadConfig({});
    assert.equal(config.retentionMs, 90 * 24 * 3600_000);
    assert.equal(config.retentionRuns, 'keep');
  });

  it('take a duration or `off`, and `delete`', () => {
    assert.equal(loadConfig({ PISTAGES_RETENTION: '30d' }).retentionMs, 30 * 24 * 3600_000);
    assert.equal(loadConfig({ PISTAGES_RETENTION: 'off' }).retentionMs, undefined);
    assert.equal(loadConfig({ PISTAGES_RETENTION_RUNS: 'delete' }).retentionRuns, 'delete');
  });

  it('name the variable when a value is wrong', () => {
    assert.throws(() => loadConfig({ PISTAGES_RETENTION: '90', PISTAGES_RETENTION_RUNS: 'purge' }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.problems.map((p) => p.variable).sort(), ['PISTAGES_RETENTION', 'PISTAGES_RETENTION_RUNS']);
      return true;
    });
  });
});
