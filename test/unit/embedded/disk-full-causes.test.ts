import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { diskSpaceProblem } from '../../../src/embedded/disk-space.ts';
import { causeLine } from '../../../src/embedded/supervised-process.ts';

test('the cause of an embedded server stopping is its last PANIC or FATAL line, not its first line', () => {
  const output = [
    '2026-12-01 03:52:02.251 UTC [25281] LOG:  starting PostgreSQL 15.18',
    '2026-12-01 03:52:02.254 UTC [25285] LOG:  database system was interrupted',
    '2026-12-01 03:52:02.300 UTC [25285] ERROR:  something earlier',
    '2026-12-01 03:52:02.301 UTC [25285] FATAL:  could not write to file "pg_wal/xlogtemp.25285": No space left on device',
    '2026-12-01 03:52:02.302 UTC [25281] LOG:  startup process (PID 25285) exited with exit code 1',
  ].join('\n');
  assert.equal(causeLine(output), 'FATAL: could not write to file "pg_wal/xlogtemp.25285": No space left on device');
  assert.equal(causeLine('LOG: fine\nERROR:  could not extend file'), 'ERROR: could not extend file');
  assert.equal(causeLine('LOG: nothing wrong here'), undefined);
});

test('a disk with less free space than the database needs is named, with what to do', async () => {
  assert.equal(await diskSpaceProblem(tmpdir(), 1), undefined);
  const problem = await diskSpaceProblem(tmpdir(), Number.MAX_SAFE_INTEGER);
  assert.match(problem ?? '', new RegExp(`^the disk of ${tmpdir()} is full \\(.* MiB free, the database needs .* MiB to keep writing\\): free space there`));
});
