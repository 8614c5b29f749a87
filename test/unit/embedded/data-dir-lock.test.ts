import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DataDirLockedError, isAlive, lockDataDir, processIdentity } from '../../../src/embedded/data-dir-lock.ts';

describe('lockDataDir', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pistages-lock-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second lock while the owner lives, and allows one after release', async () => {
    const lock = await lockDataDir(dir);
    await assert.rejects(lockDataDir(dir), (err: unknown) => err instanceof DataDirLockedError && err.message.includes(`process ${process.pid}`));
    await lock.release();
    const again = await lockDataDir(dir);
    await again.release();
  });

  it('takes over a lock whose owner is gone, stopping the servers it left behind', async () => {
    const leftover = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const identity = processIdentity(leftover.pid as number);
    assert.ok(identity && isAlive(identity));
    // an owner that no longer exists: this process's pid with another start time
    const self = processIdentity(process.pid);
    const deadOwner = { pid: process.pid, start: (self?.start ?? 0) + 1 };
    await writeFile(join(dir, 'pistages.lock'), JSON.stringify({ owner: deadOwner, children: [identity] }));
    const lock = await lockDataDir(dir);
    try {
      assert.equal(isAlive(identity), false, 'the leftover server was stopped before the lock was taken');
      const content = JSON.parse(await readFile(lock.path, 'utf8')) as { owner: { pid: number; start: number } };
      assert.deepEqual(content.owner, self);
    } finally {
      leftover.kill('SIGKILL');
      await lock.release();
    }
  });
});
