import { access, constants } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

export class NoDatabaseError extends Error {
  constructor(detail: string) {
    super(
      `${detail}. Pistages needs a MongoDB-compatible database. Either\n` +
        '  - set MONGODB_URI=mongodb://host:27017 to use an existing MongoDB (or FerretDB), or\n' +
        '  - run scripts/setup.sh (or scripts/install-ferretdb.sh and apt-get install postgresql; or set FERRETDB_BIN) and Pistages starts FerretDB itself, or\n' +
        '  - run `docker compose up` to start Pistages with its database.',
    );
    this.name = 'NoDatabaseError';
  }
}

export type FerretdbHandler = 'postgresql' | 'sqlite';

/**
 * FerretDB's arguments: loopback TCP on `port`, its state (and SQLite files) in `stateDir`, the
 * PostgreSQL handler when given a PostgreSQL URL.
 */
export function ferretdbArgs(options: { port: number; stateDir: string; postgresUrl: string | undefined }): string[] {
  const backend = options.postgresUrl === undefined
    ? ['--handler=sqlite', `--sqlite-url=file:${options.stateDir}/`]
    : ['--handler=postgresql', `--postgresql-url=${options.postgresUrl}`];
  return [...backend, `--listen-addr=127.0.0.1:${options.port}`, '--telemetry=disable', '--debug-addr=-', `--state-dir=${options.stateDir}`, '--log-level=warn'];
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
