import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';

/** `bin/pistages` as a child process (no stdin, no TTY), for tests of the command-line contract. */

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'pistages');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** resolves when the process exits; rejects (after killing it) if it takes longer than the bound */
  exited: (timeoutMs: number) => Promise<Finished>;
}

export interface StartOptions {
  /** variables on top of the test's environment, from which every PISTAGES_* and `unset` are removed */
  env?: NodeJS.ProcessEnv;
  unset?: string[];
  cwd?: string;
  /** called with each chunk of stdout as it arrives (e.g. to close the pipe after the first line) */
  onStdout?: (chunk: string, child: ChildProcess) => void;
}

export function start(args: string[], options: StartOptions = {}): Running {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(childEnv)) if (name.startsWith('PISTAGES_') || options.unset?.includes(name)) delete childEnv[name];
  Object.assign(childEnv, options.env);
  const startedAt = Date.now();
  const child = spawn(BIN, args, { cwd: options.cwd ?? ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    options.onStdout?.(chunk, child);
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - startedAt }));
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited: async (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`pistages ${args.join(' ')} did not exit within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([closed, limit]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Rows of the summary table printed after a run: [group, step, status, duration, attempt]. */
export function summaryRows(stdout: string): string[][] {
  const lines = stdout.split('\n');
  const header = lines.findIndex((line) => /^GROUP\s+STEP\s+STATUS\s+DURATION\s+ATTEMPT$/.test(line));
  if (header < 0) throw new Error(`no summary table in:\n${stdout}`);
  const rows: string[][] = [];
  for (const line of lines.slice(header + 1)) {
    if (line === '') break;
    rows.push(line.split(/\s{2,}/));
  }
  return rows;
}

/** Containers (with state) and volumes carrying `label` (`key=value`). */
export async function engineObjects(docker: Dockerode, label: string): Promise<{ containers: string[]; volumes: string[] }> {
  const filters = { label: [label] };
  const containers = await docker.listContainers({ all: true, filters });
  const { Volumes } = await docker.listVolumes({ filters });
  return { containers: containers.map((c) => `${c.Names.join(',')} (${c.State})`), volumes: (Volumes ?? []).map((v) => v.Name) };
}
