import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo } from '../../src/embedded/embedded-mongo.ts';
import { freeLoopbackPort, type FerretdbHandler } from '../../src/embedded/ferretdb.ts';

/**
 * A MongoDB-speaking server for tests: the one at MONGODB_URI when set, else the embedded database
 * the server itself would start (FerretDB on a private PostgreSQL when PostgreSQL is installed,
 * else on SQLite; PISTAGES_TEST_HANDLER=sqlite|postgresql forces one) in a temp directory, with
 * fsync off. Each caller gets its own database name.
 */
export interface TestMongo {
  uri: string;
  client: MongoClient;
  /** a fresh database name for one suite */
  dbName: string;
  /** the embedded FerretDB's backend, or `external` for MONGODB_URI */
  handler: FerretdbHandler | 'external';
  close(): Promise<void>;
}

/** a free TCP port on 127.0.0.1 */
export const freePort = freeLoopbackPort;

export function ferretdbBinary(): string {
  return process.env.FERRETDB_BIN ?? '/usr/local/bin/ferretdb';
}

const quiet = { info: () => undefined, warn: () => undefined, error: (obj: object, msg?: string) => console.error(msg, obj) };

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
      handler: 'external',
      close: async () => {
        await client.db(dbName).dropDatabase().catch(() => undefined);
        await client.close();
      },
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'pistages-testdb-'));
  // root runs PostgreSQL as an unprivileged user, which must be able to enter the directory
  await chmod(dir, 0o711);
  const forced = process.env.PISTAGES_TEST_HANDLER;
  const embedded = await startEmbeddedMongo({
    dataDir: dir,
    binary: ferretdbBinary(),
    handler: forced === 'sqlite' || forced === 'postgresql' ? forced : undefined,
    postgresSettings: { fsync: 'off', full_page_writes: 'off' },
    log: quiet,
  });
  const client = new MongoClient(embedded.uri);
  try {
    await client.connect();
  } catch (err) {
    await embedded.stop();
    throw err;
  }
  return {
    uri: embedded.uri,
    client,
    dbName,
    handler: embedded.handler,
    close: async () => {
      await client.close();
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
