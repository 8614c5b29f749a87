import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OutputTooLargeError, readFirstFile } from '../../../../src/executor/docker/tar.ts';

async function* chunks(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describe('tar', () => {
  it('readFirstFile returns the file an archive holds and refuses one over the limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pistages-tar-'));
    try {
      writeFileSync(join(dir, 'out'), 'a=1\nb=2\n');
      const archive = execFileSync('tar', ['-C', dir, '-c', 'out']);
      assert.equal((await readFirstFile(chunks(archive, 100), 1024)).toString(), 'a=1\nb=2\n');
      await assert.rejects(readFirstFile(chunks(archive, 100), 4), OutputTooLargeError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
