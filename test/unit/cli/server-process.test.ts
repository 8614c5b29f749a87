import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { configFor } from '../../../src/cli/server-process.ts';

describe('configFor', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it('keeps the environment variable when its flag was not given', () => {
    process.env.PISTAGES_PORT = '18081';
    process.env.PISTAGES_CONCURRENCY = '5';
    const config = configFor('any', 'test', { PISTAGES_PORT: undefined, PISTAGES_CONCURRENCY: undefined });
    assert.equal(config?.port, 18081);
    assert.equal(config?.concurrency, 5);
  });

  it('lets a given flag win over the environment', () => {
    process.env.PISTAGES_PORT = '18081';
    assert.equal(configFor('any', 'test', { PISTAGES_PORT: '18082' })?.port, 18082);
  });
});
