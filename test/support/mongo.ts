import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { freeLoopbackPort } from '../../src/embedded/ferretdb.ts';

/**
 * A MongoDB-speaking server for tests: the one at MONGODB_URI when set, else a FerretDB (SQLite)
 * started on a free loopback port in a temp directory. Each caller gets its own database name.
 */
export interface TestMongo {
  uri: string;
  client: MongoClient;
  /** a fresh database name for one suite */
  dbName: string;
  close(): Promise<void>;
}

/** a free TCP port on 127.0.0.1 */
export const freePort = freeLoopbackPort;

export function ferretdbBinary(): string {
  return process.env.FERRETDB_BIN ?? '/usr/local/bin/ferretdb';
}

async function waitForServer(uri: string, child: ChildProcess, output: () => string): Promise<MongoClient> {
  const deadline = Date.now() + 20_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`ferretdb exited with ${child.exitCode}: ${output()}`);
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500 });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return client;
    } catch (error) {
      lastError = error;
      await client.close().catch(() => undefined);
    }
  }
  throw new Error(`ferretdb did not answer at ${uri} within 20 s: ${String(lastError)}\n${output()}`);
}

export async function startTestMongo(): Promise<TestMongo> {
  const dbName = `pistages_test_${randomBytes(4).toString('hex')}`;
  const external = process.env.MONGODB_URI;
  if (external) {
    const client = new MongoClient(external);
    await client.connect();
    return {
      uri: external,
      client,
      dbName,
      close: async () => {
        await client.db(dbName).dropDatabase().catch(() => undefined);
        await client.close();
      },
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'pistages-ferretdb-'));
  const port = await freePort();
  let log = '';
  const child = spawn(
    ferretdbBinary(),
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      '--telemetry=disable',
      '--debug-addr=-',
      `--state-dir=${dir}`,
      '--log-level=error',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const uri = `mongodb://127.0.0.1:${port}/`;
  const client = await waitForServer(uri, child, () => log);
  return {
    uri,
    client,
    dbName,
    close: async () => {
      await client.close();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
