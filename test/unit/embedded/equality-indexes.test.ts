import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { installEqualityIndexes } from '../../../src/embedded/equality-indexes.ts';
import type { PostgresCluster } from '../../../src/embedded/postgres-cluster.ts';

/** The start goes on whatever happens to the equality indexes: they only make lookups fast. */
describe('installEqualityIndexes without a working psql', () => {
  const binDir = mkdtempSync(join(tmpdir(), 'pistages-psql-'));
  after(() => rmSync(binDir, { recursive: true, force: true }));
  const cluster: PostgresCluster = { binDir, dataDir: join(binDir, 'data'), socketDir: binDir, url: 'postgres://unused', runAs: undefined };
  const logged = (): { warnings: string[]; log: { info: () => void; warn: (o: object, m?: string) => void; error: () => void } } => {
    const warnings: string[] = [];
    return { warnings, log: { info: () => {}, warn: (_o, m) => void warnings.push(m ?? ''), error: () => {} } };
  };

  it('warns and adds none when psql is not installed', async () => {
    const { warnings, log } = logged();
    assert.deepEqual(await installEqualityIndexes(cluster, log), []);
    assert.match(warnings.join('\n'), /psql is not installed.*postgresql-client/);
  });

  it('warns with psql\'s own words and adds none when psql fails', async () => {
    const psql = join(binDir, 'psql');
    writeFileSync(psql, '#!/bin/sh\necho "psql: error: connection refused" >&2\nexit 2\n');
    chmodSync(psql, 0o755);
    const { warnings, log } = logged();
    assert.deepEqual(await installEqualityIndexes(cluster, log), []);
    assert.match(warnings.join('\n'), /could not add the equality indexes.*psql: error: connection refused.*until a restart adds them/s);
  });
});
