import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProcessIdentity } from '../../src/embedded/data-dir-lock.ts';
import { start, type Finished, type Running } from './cli-process.ts';
import { freePort } from './mongo.ts';
import { waitFor } from './wait.ts';

/**
 * `pistages serve` as a child process on the embedded database (no MONGODB_URI) in `dataDir`, on a
 * free loopback port, with local images only and no network for steps. For fault tests: its
 * embedded servers can be found (the data directory's lock names them) and killed.
 */
export const EMBEDDED_TOKEN = 'embedded-fault-token-0123456789';

export interface ApiAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

export interface EmbeddedServer {
  url: string;
  process: Running;
  /** a request with the API token; `body` is sent as JSON */
  api(method: string, path: string, body?: object): Promise<ApiAnswer>;
  /** the /readyz answer (never throws: a refused connection is status 0) */
  readyz(): Promise<ApiAnswer>;
  healthy(): Promise<boolean>;
  /** [PostgreSQL, FerretDB] as the data directory's lock records them now */
  children(): Promise<ProcessIdentity[]>;
  /** the embedded FerretDB's address, for a worker of its own */
  mongoUri(): Promise<string>;
  /** SIGTERM, then the exit (SIGKILL after `timeoutMs`) */
  stop(timeoutMs?: number): Promise<Finished>;
}

export async function startEmbeddedServer(dataDir: string, env: Record<string, string> = {}, args: string[] = []): Promise<EmbeddedServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const running = start(['serve', '--grace', '1s', ...args], {
    env: {
      PISTAGES_DATA_DIR: dataDir,
      PISTAGES_PORT: String(port),
      PISTAGES_HOST: '127.0.0.1',
      PISTAGES_API_TOKEN: EMBEDDED_TOKEN,
      PISTAGES_NETWORK: 'none',
      PISTAGES_PULL_POLICY: 'never',
      PISTAGES_DEFAULT_RETRY: '0',
      PISTAGES_POLL_INTERVAL: '250ms',
      PISTAGES_LOG_LEVEL: 'warn',
      ...env,
    },
    unset: ['MONGODB_URI'],
  });
  const answer = async (res: Response): Promise<ApiAnswer> => {
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, body, text };
  };
  const children = async (): Promise<ProcessIdentity[]> => (JSON.parse(await readFile(join(dataDir, 'pistages.lock'), 'utf8')) as { children: ProcessIdentity[] }).children;
  const server: EmbeddedServer = {
    url,
    process: running,
    api: async (method, path, body) =>
      answer(await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${EMBEDDED_TOKEN}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      })),
    readyz: async () => fetch(`${url}/readyz`).then(answer, (err: unknown) => ({ status: 0, body: undefined, text: String(err) })),
    healthy: async () => fetch(`${url}/healthz`).then((res) => res.ok, () => false),
    children,
    mongoUri: async () => {
      const ferretdb = (await children())[1];
      if (ferretdb === undefined) throw new Error('the lock names no FerretDB');
      const args = (await readFile(`/proc/${ferretdb.pid}/cmdline`, 'utf8')).split('\0');
      const listen = args.find((a) => a.startsWith('--listen-addr='))?.slice('--listen-addr='.length);
      if (listen === undefined) throw new Error(`FerretDB ${ferretdb.pid} has no --listen-addr: ${args.join(' ')}`);
      return `mongodb://${listen}/`;
    },
    stop: async (timeoutMs = 30_000) => {
      if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGTERM');
      return running.exited(timeoutMs);
    },
  };
  try {
    await waitFor('the embedded server to be ready', async () => (await server.readyz()).status === 200 || running.child.exitCode !== null, { timeoutMs: 90_000, intervalMs: 100 });
  } catch (err) {
    running.child.kill('SIGKILL');
    throw new Error(`${String(err)}\nstdout:\n${running.stdout()}\nstderr:\n${running.stderr()}`, { cause: err });
  }
  if (running.child.exitCode !== null) throw new Error(`pistages serve exited with ${running.child.exitCode}:\n${running.stdout()}\n${running.stderr()}`);
  return server;
}
