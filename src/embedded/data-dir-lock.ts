import { readFileSync } from 'node:fs';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';

/** A process as recorded in the lock: its pid and kernel start time, so a reused pid is not mistaken for it. */
export interface ProcessIdentity {
  pid: number;
  /** /proc/<pid>/stat start time in clock ticks; undefined where /proc is missing */
  start: number | undefined;
}

interface LockContent {
  owner: ProcessIdentity;
  /** embedded servers this owner started, killed by whoever takes over a stale lock */
  children: ProcessIdentity[];
}

export interface DataDirLock {
  path: string;
  /** records the embedded servers now running for this owner */
  setChildren(pids: number[]): Promise<void>;
  /** removes the lock if it is still ours; safe to call twice */
  release(): Promise<void>;
}

export class DataDirLockedError extends Error {
  constructor(dir: string, lockFile: string, holder: ProcessIdentity) {
    super(
      `PISTAGES_DATA_DIR ${dir} is in use by process ${holder.pid} (its embedded database). Stop that process first, ` +
        `or give this one another PISTAGES_DATA_DIR; if process ${holder.pid} is not Pistages, delete ${lockFile}.`,
    );
    this.name = 'DataDirLockedError';
  }
}

export function processIdentity(pid: number): ProcessIdentity | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // a zombie has exited; only its parent's wait() is missing
    return fields[0] === 'Z' ? undefined : { pid, start: Number(fields[19]) };
  } catch {
    try {
      process.kill(pid, 0);
      return { pid, start: undefined };
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM' ? { pid, start: undefined } : undefined;
    }
  }
}

export function isAlive(identity: ProcessIdentity): boolean {
  const now = processIdentity(identity.pid);
  return now !== undefined && (identity.start === undefined || now.start === undefined || now.start === identity.start);
}

/**
 * Takes `<dir>/pistages.lock` for this process (created with link(2), which fails if the file
 * exists). A lock whose owner is gone is taken over after killing the servers it had started, so
 * one data directory never has two embedded databases. Throws DataDirLockedError while the owner lives.
 */
export async function lockDataDir(dir: string, options: { log?: { warn(obj: object, msg?: string): void } } = {}): Promise<DataDirLock> {
  const path = join(dir, 'pistages.lock');
  const self = processIdentity(process.pid) ?? { pid: process.pid, start: undefined };
  const write = async (content: LockContent): Promise<void> => {
    const temp = `${path}.${process.pid}`;
    await writeFile(temp, JSON.stringify(content));
    try {
      await link(temp, path);
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await write({ owner: self, children: [] });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = await readLock(path);
    if (held && isAlive(held.owner)) throw new DataDirLockedError(dir, path, held.owner);
    if (attempt > 0) throw new Error(`another process took over ${path} at the same moment; start again`);
    for (const child of held?.children ?? []) {
      if (!isAlive(child)) continue;
      options.log?.warn({ pid: child.pid }, 'stopping an embedded database server left behind by a process that died');
      await killAndWait(child);
    }
    await unlink(path).catch(() => undefined);
  }
  let writing: Promise<void> = Promise.resolve();
  let released = false;
  return {
    path,
    setChildren: (pids) => {
      // one write at a time, each replacing the file whole, so readers never see a torn lock
      writing = writing.catch(() => undefined).then(async () => {
        if (released) return;
        const children = pids.map((pid) => processIdentity(pid)).filter((p): p is ProcessIdentity => p !== undefined);
        const temp = `${path}.${process.pid}`;
        await writeFile(temp, JSON.stringify({ owner: self, children } satisfies LockContent));
        await rename(temp, path);
      });
      return writing;
    },
    release: async () => {
      if (released) return;
      released = true;
      await writing.catch(() => undefined);
      const held = await readLock(path);
      if (held?.owner.pid === process.pid) await unlink(path).catch(() => undefined);
    },
  };
}

async function readLock(path: string): Promise<LockContent | undefined> {
  try {
    const content = JSON.parse(await readFile(path, 'utf8')) as Partial<LockContent>;
    if (typeof content.owner?.pid !== 'number') return undefined;
    return { owner: content.owner, children: Array.isArray(content.children) ? content.children : [] };
  } catch {
    return undefined;
  }
}

async function killAndWait(child: ProcessIdentity): Promise<void> {
  for (const [signal, waitMs] of [['SIGTERM', 10_000], ['SIGKILL', 5000]] as const) {
    try {
      process.kill(child.pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + waitMs;
    while (isAlive(child) && Date.now() < deadline) await delay(50); // polls the process table, bounded
    if (!isAlive(child)) return;
  }
}
