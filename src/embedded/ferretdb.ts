import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { MongoClient } from 'mongodb';

export interface EmbeddedMongoOptions {
  /** FerretDB keeps its SQLite files in `<dataDir>/ferretdb/` */
  dataDir: string;
  /** the ferretdb executable; default: FERRETDB_BIN, else `ferretdb` on PATH, else /usr/local/bin/ferretdb */
  binary?: string;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  env?: Record<string, string | undefined>;
  /** how long to wait for it to answer (default 20 s) */
  startTimeoutMs?: number;
}

export interface EmbeddedMongo {
  uri: string;
  /** stops the server (SIGTERM, then SIGKILL after 10 s); safe to call twice */
  stop(): Promise<void>;
}

export class NoDatabaseError extends Error {
  constructor(detail: string) {
    super(
      `${detail}. Pistages needs a MongoDB-compatible database. Either\n` +
        '  - set MONGODB_URI=mongodb://host:27017 to use an existing MongoDB (or FerretDB), or\n' +
        '  - run scripts/install-ferretdb.sh (puts FerretDB in /usr/local/bin; or set FERRETDB_BIN) and Pistages starts it itself, or\n' +
        '  - run `docker compose up` to start Pistages with its database.',
    );
    this.name = 'NoDatabaseError';
  }
}

/**
 * Starts a private FerretDB (SQLite backend) on a free loopback port for a server or worker that
 * was given no MONGODB_URI. Only one process should use a data directory at a time.
 */
export async function startEmbeddedMongo(options: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
  const env = options.env ?? process.env;
  const binary = options.binary ?? (await findFerretdb(env));
  if (binary === undefined) throw new NoDatabaseError('MONGODB_URI is not set and no FerretDB executable was found (FERRETDB_BIN, PATH, /usr/local/bin/ferretdb)');
  const dir = join(resolve(options.dataDir), 'ferretdb');
  await mkdir(dir, { recursive: true });
  const port = await freeLoopbackPort();
  const child = spawn(
    binary,
    ['--handler=sqlite', `--sqlite-url=file:${dir}/`, `--listen-addr=127.0.0.1:${port}`, '--telemetry=disable', '--debug-addr=-', `--state-dir=${dir}`, '--log-level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const spawnFailed = new Promise<Error>((done) => child.once('error', done));
  const uri = `mongodb://127.0.0.1:${port}/`;
  try {
    await waitUntilServing(uri, child, spawnFailed, () => output, options.startTimeoutMs ?? 20_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  options.log.info({ uri, dataDir: dir }, 'started the embedded FerretDB');
  let stopping: Promise<void> | undefined;
  return {
    uri,
    stop: () => {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      })();
      return stopping;
    },
  };
}

async function waitUntilServing(uri: string, child: ChildProcess, spawnFailed: Promise<Error>, output: () => string, timeoutMs: number): Promise<void> {
  let failure: Error | undefined;
  void spawnFailed.then((err) => (failure = err));
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (failure) throw new NoDatabaseError(`could not start FerretDB: ${failure.message}`);
    if (child.exitCode !== null) throw new Error(`the embedded FerretDB exited with code ${child.exitCode}:\n${output()}`);
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 300 });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (err) {
      lastError = err;
      await delay(50); // next probe; the loop is bounded by the deadline
    } finally {
      await client.close().catch(() => {});
    }
  }
  throw new Error(`the embedded FerretDB did not answer at ${uri} within ${timeoutMs} ms (${String(lastError)}):\n${output()}`);
}

export async function findFerretdb(env: Record<string, string | undefined>): Promise<string | undefined> {
  if (env.FERRETDB_BIN) {
    // asked for explicitly: do not silently use another one
    try {
      await access(env.FERRETDB_BIN, constants.X_OK);
      return env.FERRETDB_BIN;
    } catch {
      throw new NoDatabaseError(`FERRETDB_BIN is ${env.FERRETDB_BIN}, which is not an executable file`);
    }
  }
  const candidates = [
    ...(env.PATH ?? '').split(delimiter).filter((d) => d !== '').map((d) => join(d, 'ferretdb')),
    '/usr/local/bin/ferretdb',
  ];
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

export function freeLoopbackPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no free port'))));
    });
  });
}
