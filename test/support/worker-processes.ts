import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'pistages');

/** A `pistages worker` child process against a shared database. */
export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** the tail of its output, for failure messages */
  output(): string;
  /** resolves with the exit code (or signal) once it has exited */
  exited: Promise<number | string>;
}

export function spawnWorker(env: { uri: string; dbName: string; secretKeyHex: string; concurrency?: number; leaseMs?: number }): WorkerProcess {
  const child = spawn(process.execPath, [CLI, 'worker'], {
    cwd: ROOT,
    env: {
      ...process.env,
      MONGODB_URI: env.uri,
      PISTAGES_DB: env.dbName,
      PISTAGES_SECRET_KEY: env.secretKeyHex,
      PISTAGES_NETWORK: 'none',
      PISTAGES_PULL_POLICY: 'never',
      PISTAGES_CONCURRENCY: String(env.concurrency ?? 4),
      PISTAGES_LEASE: `${env.leaseMs ?? 3000}ms`,
      PISTAGES_POLL_INTERVAL: '250ms',
      PISTAGES_DEFAULT_RETRY: '0',
      PISTAGES_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  if (child.pid === undefined) throw new Error('could not spawn the worker process');
  return { child, pid: child.pid, output: () => tail, exited };
}

/** SIGKILLs every worker process still running and waits until all have exited. */
export async function killAll(processes: readonly WorkerProcess[]): Promise<void> {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
}
