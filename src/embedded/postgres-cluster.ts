import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, chmod, chown, constants, mkdir, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { RunAs } from './child-command.ts';

const run = promisify(execFile);

/** PostgreSQL's socket file name; the port only names the socket, nothing listens on TCP */
export const POSTGRES_PORT = 5432;
/** the database FerretDB keeps its collections in (FerretDB does not create it) */
export const FERRETDB_DATABASE = 'ferretdb';

export interface PostgresCluster {
  /** directory holding the `postgres`, `initdb` and `createdb` executables */
  binDir: string;
  /** the cluster's data directory (`<dataDir>/postgres`) */
  dataDir: string;
  socketDir: string;
  /** FerretDB's --postgresql-url */
  url: string;
  /** the account PostgreSQL runs as; undefined: as this process */
  runAs: RunAs | undefined;
}

/**
 * The PostgreSQL executables: `POSTGRES_BIN_DIR` when set, else Debian's newest
 * /usr/lib/postgresql/<version>/bin, else a `postgres` on PATH with `initdb` beside it.
 */
export async function findPostgres(env: Record<string, string | undefined>): Promise<string | undefined> {
  const usable = (dir: string): Promise<boolean> =>
    Promise.all(['postgres', 'initdb', 'createdb'].map((name) => access(join(dir, name), constants.X_OK))).then(() => true, () => false);
  if (env.POSTGRES_BIN_DIR) {
    if (await usable(env.POSTGRES_BIN_DIR)) return env.POSTGRES_BIN_DIR;
    throw new Error(`POSTGRES_BIN_DIR is ${env.POSTGRES_BIN_DIR}, which lacks an executable postgres, initdb or createdb`);
  }
  const versions = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  for (const version of versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (await usable(dir)) return dir;
  }
  for (const dir of (env.PATH ?? '').split(':').filter((d) => d !== '')) {
    if (await usable(dir)) return dir;
  }
  return undefined;
}

/**
 * Why `runAs` could not open files under `dir` (a directory on the way it cannot search), or
 * undefined when it can. Only the search bit matters: PostgreSQL opens its files by full path.
 */
export async function unreachableFor(dir: string, runAs: RunAs): Promise<string | undefined> {
  for (let current = dir; ; current = dirname(current)) {
    const info = await stat(current);
    const bit = info.uid === runAs.uid ? 0o100 : info.gid === runAs.gid ? 0o010 : 0o001;
    if ((info.mode & bit) === 0) return `${runAs.name} cannot enter ${current}`;
    if (dirname(current) === current) return undefined;
  }
}

/**
 * Creates the cluster on first use (initdb, owned by `runAs` when given, trust authentication
 * over a socket only it and root can open) and returns where it lives.
 */
export async function prepareCluster(options: { binDir: string; dataDir: string; runAs: RunAs | undefined; noSync?: boolean }): Promise<PostgresCluster> {
  const { binDir, runAs } = options;
  const clusterDir = join(options.dataDir, 'postgres');
  const socketDir = socketDirFor(options.dataDir);
  for (const dir of [clusterDir, socketDir]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    if (runAs) await chown(dir, runAs.uid, runAs.gid);
  }
  const initialised = await access(join(clusterDir, 'PG_VERSION')).then(() => true, () => false);
  if (!initialised) {
    const args = ['-D', clusterDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-instructions', ...(options.noSync ? ['--no-sync'] : [])];
    const [command, fullArgs] = runAs
      ? ['/usr/bin/setpriv', ['--reuid', String(runAs.uid), '--regid', String(runAs.gid), '--clear-groups', '--', join(binDir, 'initdb'), ...args]]
      : [join(binDir, 'initdb'), args];
    try {
      await run(command, fullArgs, { cwd: '/', timeout: 120_000 });
    } catch (err) {
      const { stderr } = err as { stderr?: string };
      throw new Error(`initdb of the embedded PostgreSQL in ${clusterDir} failed: ${stderr?.trim() || String(err)}`, { cause: err });
    }
  }
  const url = `postgres://postgres@/${FERRETDB_DATABASE}?host=${encodeURIComponent(socketDir)}&port=${POSTGRES_PORT}&sslmode=disable`;
  return { binDir, dataDir: clusterDir, socketDir, url, runAs };
}

/** `postgres` arguments: socket only, the socket closed to others, logs on stderr. */
export function postgresArgs(cluster: PostgresCluster, settings: Record<string, string> = {}): string[] {
  const all: Record<string, string> = {
    listen_addresses: '',
    unix_socket_directories: cluster.socketDir,
    unix_socket_permissions: '0700',
    port: String(POSTGRES_PORT),
    logging_collector: 'off',
    log_min_messages: 'warning',
    // an acknowledged write survives a crash of PostgreSQL: with synchronous_commit=off a SIGKILL
    // lost the last few hundred ms of commits (log lines, claims, final statuses) the workers had
    // been told were stored; tests trade this back with fsync=off
    synchronous_commit: 'on',
    // FerretDB keeps tens of pooled connections per client process
    max_connections: '300',
    ...settings,
  };
  return ['-D', cluster.dataDir, ...Object.entries(all).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
}

/** Creates FerretDB's database; resolves when PostgreSQL accepts connections and the database exists. */
export async function ensureFerretdbDatabase(cluster: PostgresCluster): Promise<void> {
  try {
    await run(join(cluster.binDir, 'createdb'), ['-h', cluster.socketDir, '-p', String(POSTGRES_PORT), '-U', 'postgres', FERRETDB_DATABASE], { timeout: 10_000 });
  } catch (err) {
    const { stderr } = err as { stderr?: string };
    if (stderr?.includes('already exists')) return;
    throw new Error(`PostgreSQL is not accepting connections: ${stderr?.trim() || String(err)}`, { cause: err });
  }
}

/** Unix socket paths are limited to 107 bytes: long data directories get theirs under the temp dir. */
function socketDirFor(dataDir: string): string {
  const inside = join(dataDir, 'postgres-socket');
  if (Buffer.byteLength(`${inside}/.s.PGSQL.${POSTGRES_PORT}.lock`) <= 100) return inside;
  return join(tmpdir(), `pistages-pg-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`);
}
