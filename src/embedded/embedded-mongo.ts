import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { childCommand, serviceUser } from './child-command.ts';
import { lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import { diskSpaceProblem } from './disk-space.ts';
import { ferretdbArgs, findFerretdb, freeLoopbackPort, NoDatabaseError, type FerretdbHandler } from './ferretdb.ts';
import { installEqualityIndexes } from './equality-indexes.ts';
import { ensureFerretdbDatabase, findPostgres, postgresArgs, prepareCluster, unreachableFor, type PostgresCluster } from './postgres-cluster.ts';
import { superviseProcess, type Supervised, type SupervisorLog } from './supervised-process.ts';
import { writeProbe } from './write-probe.ts';

export interface EmbeddedMongoOptions {
  /** PostgreSQL's cluster goes to `<dataDir>/postgres/`, FerretDB's state (and SQLite files) to `<dataDir>/ferretdb/` */
  dataDir: string;
  log: SupervisorLog;
  env?: Record<string, string | undefined>;
  /** the ferretdb executable; default: FERRETDB_BIN, else `ferretdb` on PATH, else /usr/local/bin/ferretdb */
  binary?: string;
  /** default: PostgreSQL when installed (and reachable for the service user), else SQLite */
  handler?: FerretdbHandler;
  /** extra PostgreSQL settings (`fsync: 'off'` for throwaway test clusters) */
  postgresSettings?: Record<string, string>;
  /** how long each server may take to answer (default 30 s) */
  startTimeoutMs?: number;
  /** first restart delay after a crash (default 500 ms) */
  restartBackoffMs?: number;
}

export type EmbeddedState = 'up' | 'restarting' | 'down';

export interface EmbeddedStatus {
  state: EmbeddedState;
  /** what is broken and what is being done about it, or what is serving */
  detail: string;
  handler: FerretdbHandler;
  /** crashes of the embedded servers since the start */
  restarts: number;
}

export interface EmbeddedMongo {
  uri: string;
  handler: FerretdbHandler;
  /** `up`; `restarting` after a crash until the server serves again; `down` when restarts keep failing or after stop() */
  status(): EmbeddedStatus;
  /** resolves when `up` with room to write, else rejects with the status detail or the disk's state (a readiness check) */
  check(): Promise<void>;
  /** pids of the servers now running, for tests and diagnostics */
  pids(): { ferretdb: number | undefined; postgres: number | undefined };
  /** stops FerretDB, then PostgreSQL, then releases the data directory; safe to call twice */
  stop(): Promise<void>;
}

/**
 * Starts a private FerretDB on a free loopback port for a process given no MONGODB_URI: on a
 * PostgreSQL cluster of its own (socket only) when PostgreSQL is installed, else on SQLite. Both
 * are supervised (restarted with backoff after a crash) and die with this process; the data
 * directory is locked so a second process cannot start a second database on it.
 */
export async function startEmbeddedMongo(options: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
  const env = options.env ?? process.env;
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const lock = await lockDataDir(dataDir, { log: options.log });
  const started: Supervised[] = [];
  try {
    const binary = options.binary ?? (await findFerretdb(env));
    if (binary === undefined) throw new NoDatabaseError('MONGODB_URI is not set and no FerretDB executable was found (FERRETDB_BIN, PATH, /usr/local/bin/ferretdb)');
    const stateDir = join(dataDir, 'ferretdb');
    await mkdir(stateDir, { recursive: true });
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const supervision = { log: options.log, backoffMs: options.restartBackoffMs };
    const cluster = await choosePostgres(options, env, dataDir, stateDir);
    let postgres: Supervised | undefined;
    if (cluster) {
      const command = await childCommand(join(cluster.binDir, 'postgres'), postgresArgs(cluster, options.postgresSettings), { deathSignal: 'SIGINT', runAs: cluster.runAs });
      postgres = await superviseProcess({
        ...supervision,
        name: 'PostgreSQL',
        spawn: () => spawnQuiet(command.command, command.args),
        ready: (child, exited, output) => untilReady('PostgreSQL', () => ensureFerretdbDatabase(cluster), exited, output, timeoutMs),
        // fast shutdown: SIGTERM would wait for FerretDB's pooled connections to close
        stopSignal: 'SIGINT',
        onStarted: () => void recordChildren(lock, started),
      });
      started.push(postgres);
      await installEqualityIndexes(cluster, options.log);
    }
    const port = await freeLoopbackPort();
    const uri = `mongodb://127.0.0.1:${port}/`;
    const command = await childCommand(binary, ferretdbArgs({ port, stateDir, postgresUrl: cluster?.url }), { deathSignal: 'SIGTERM' });
    const ferretdb = await superviseProcess({
      ...supervision,
      name: 'FerretDB',
      spawn: () => spawnQuiet(command.command, command.args),
      ready: (child, exited, output) => untilReady('FerretDB', () => probeOnce(uri), exited, output, timeoutMs),
      onStarted: () => void recordChildren(lock, started),
    });
    started.push(ferretdb);
    await recordChildren(lock, started);
    const handler: FerretdbHandler = cluster ? 'postgresql' : 'sqlite';
    options.log.info({ uri, dataDir, handler }, `started the embedded FerretDB on ${handler === 'postgresql' ? 'PostgreSQL' : 'SQLite'}`);
    let stopping: Promise<void> | undefined;
    return {
      uri,
      handler,
      status: () => combinedStatus(handler, postgres, ferretdb),
      check: async () => {
        const now = combinedStatus(handler, postgres, ferretdb);
        if (now.state !== 'up') throw new Error(`embedded database ${now.state}: ${now.detail}`);
        const full = await diskSpaceProblem(dataDir);
        if (full !== undefined) throw new Error(`embedded database: ${full}`);
      },
      pids: () => ({ ferretdb: ferretdb.pid(), postgres: postgres?.pid() }),
      stop: () => {
        stopping ??= stopAll(started, lock);
        return stopping;
      },
    };
  } catch (err) {
    await stopAll(started, lock);
    throw err;
  }
}

async function choosePostgres(options: EmbeddedMongoOptions, env: Record<string, string | undefined>, dataDir: string, stateDir: string): Promise<PostgresCluster | undefined> {
  if (options.handler === 'sqlite') return undefined;
  const fallBack = (why: string): undefined => {
    if (options.handler === 'postgresql') throw new NoDatabaseError(`the embedded database cannot use PostgreSQL: ${why}`);
    options.log.warn({ dataDir, feature: 'embedded-postgresql' }, `${why}; the embedded FerretDB uses SQLite, which is several times slower`);
    return undefined;
  };
  const binDir = await findPostgres(env);
  if (binDir === undefined) return fallBack('PostgreSQL is not installed (scripts/setup.sh or `apt-get install postgresql` installs it)');
  const hasCluster = await stat(join(dataDir, 'postgres', 'PG_VERSION')).then(() => true, () => false);
  const sqliteFiles = (await readdir(stateDir)).filter((name) => name.endsWith('.sqlite'));
  if (!hasCluster && sqliteFiles.length > 0 && options.handler === undefined) {
    return fallBack(`${stateDir} holds SQLite data from an earlier version; to move to PostgreSQL, mongodump it, remove those files and mongorestore`);
  }
  // an existing cluster keeps its owner (it may predate the `pistages` user)
  const owner = hasCluster ? await stat(join(dataDir, 'postgres')) : undefined;
  const runAs = owner && owner.uid !== 0 && process.getuid?.() === 0 ? { name: `uid ${owner.uid}`, uid: owner.uid, gid: owner.gid } : await serviceUser();
  if (runAs) {
    // root starts PostgreSQL as another user, which must be able to enter the data directory
    const info = await stat(dataDir);
    if (info.uid === 0 && (info.mode & 0o001) === 0) await chmod(dataDir, info.mode | 0o001);
    const why = await unreachableFor(dataDir, runAs);
    if (why !== undefined) return fallBack(`PostgreSQL runs as ${runAs.name}, and ${why}; set PISTAGES_DATA_DIR to a directory it can reach, such as /var/lib/pistages`);
  }
  return prepareCluster({ binDir, dataDir, runAs, noSync: options.postgresSettings?.fsync === 'off' });
}

function spawnQuiet(command: string, args: string[]): ChildProcess {
  return spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
}

/** Repeats `check` until it passes, the child exits, or `timeoutMs` passes. */
async function untilReady(name: string, check: () => Promise<void>, exited: Promise<void>, output: () => string, timeoutMs: number): Promise<void> {
  let dead = false;
  void exited.then(() => (dead = true));
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (dead) throw new Error(`the embedded ${name} exited while starting:\n${output()}`);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([check(), new Promise((_, fail) => (timer = setTimeout(() => fail(new Error('no answer within 5 s')), 5000)))]);
      return;
    } catch (err) {
      lastError = err;
      await delay(50); // next probe; the loop is bounded by the deadline
    } finally {
      clearTimeout(timer);
    }
  }
  throw new Error(`the embedded ${name} did not serve within ${timeoutMs} ms (${String(lastError)}):\n${output()}`);
}

async function probeOnce(uri: string): Promise<void> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500, socketTimeoutMS: 5000 });
  try {
    await client.connect();
    await writeProbe(client.db('pistages_embedded'));
  } finally {
    await client.close().catch(() => undefined);
  }
}

function combinedStatus(handler: FerretdbHandler, postgres: Supervised | undefined, ferretdb: Supervised): EmbeddedStatus {
  const parts = [postgres?.status(), ferretdb.status()].filter((s) => s !== undefined);
  const restarts = parts.reduce((sum, s) => sum + s.restarts, 0);
  const worst = parts.find((s) => s.state === 'down' || s.state === 'stopped') ?? parts.find((s) => s.state !== 'up');
  if (worst === undefined) return { state: 'up', detail: parts.map((s) => s.detail).join('; '), handler, restarts };
  return { state: worst.state === 'restarting' || worst.state === 'starting' ? 'restarting' : 'down', detail: worst.detail, handler, restarts };
}

async function recordChildren(lock: DataDirLock, started: Supervised[]): Promise<void> {
  await lock.setChildren(started.map((s) => s.pid()).filter((pid): pid is number => pid !== undefined)).catch(() => undefined);
}

async function stopAll(started: Supervised[], lock: DataDirLock): Promise<void> {
  for (const server of [...started].reverse()) await server.stop();
  await lock.release();
}
