import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MongoClient } from 'mongodb';
import { DataDirLockedError, isAlive, processIdentity } from '../../src/embedded/data-dir-lock.ts';
import { startEmbeddedMongo, type EmbeddedMongo, type EmbeddedState } from '../../src/embedded/embedded-mongo.ts';
import { findPostgres } from '../../src/embedded/postgres-cluster.ts';
import { writeProbe } from '../../src/embedded/write-probe.ts';
import { waitFor } from '../support/wait.ts';

/**
 * The embedded database under faults: its servers are killed with SIGKILL and must come back on
 * the same address, with the status saying what is broken meanwhile; a second process on the same
 * data directory is refused.
 */
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const hasPostgres = (await findPostgres(process.env)) !== undefined;

describe('embedded database supervision', { skip: hasPostgres ? false : 'PostgreSQL is not installed' }, () => {
  let dir: string;
  let embedded: EmbeddedMongo;
  let client: MongoClient;
  const states: EmbeddedState[] = [];
  let watcher: NodeJS.Timeout | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pistages-embedded-'));
    await chmod(dir, 0o711);
    embedded = await startEmbeddedMongo({ dataDir: dir, log: quiet, postgresSettings: { fsync: 'off' }, restartBackoffMs: 200 });
    client = new MongoClient(embedded.uri, { serverSelectionTimeoutMS: 2000, socketTimeoutMS: 3000 });
    await client.connect();
    // records every state the status passes through, so a short `restarting` is not missed
    watcher = setInterval(() => {
      const { state } = embedded.status();
      if (states.at(-1) !== state) states.push(state);
    }, 5);
  });

  after(async () => {
    clearInterval(watcher);
    await client?.close();
    await embedded?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const writes = async (): Promise<boolean> => {
    await writeProbe(client.db('supervision'));
    return true;
  };

  it('runs on PostgreSQL and is up', async () => {
    assert.equal(embedded.handler, 'postgresql');
    assert.equal(embedded.status().state, 'up');
    await embedded.check();
    await writes();
  });

  it('restarts FerretDB after a SIGKILL on the same address, saying `restarting` meanwhile', async () => {
    const before = embedded.pids().ferretdb;
    assert.ok(before);
    states.length = 0;
    process.kill(before, 'SIGKILL');
    await waitFor('FerretDB to serve again under a new pid', () => embedded.status().state === 'up' && embedded.pids().ferretdb !== before, { timeoutMs: 20_000 });
    assert.ok(states.includes('restarting'), `states seen: ${states.join(' → ')}`);
    assert.ok(embedded.status().restarts >= 1);
    await waitFor('writes through the same client', writes, { timeoutMs: 20_000, intervalMs: 100 });
  });

  it('restarts PostgreSQL after a SIGKILL, the status naming it meanwhile; writes work after', async () => {
    const before = embedded.pids().postgres;
    assert.ok(before);
    states.length = 0;
    process.kill(before, 'SIGKILL');
    await waitFor('the status to leave `up`', () => states.some((s) => s !== 'up'), { timeoutMs: 5000, intervalMs: 5 });
    await assert.rejects(embedded.check(), /embedded database (restarting|down): PostgreSQL exited \(signal SIGKILL\)/);
    await waitFor('PostgreSQL to serve again', () => embedded.status().state === 'up' && embedded.pids().postgres !== before, { timeoutMs: 30_000 });
    await waitFor('writes through the same client', writes, { timeoutMs: 20_000, intervalMs: 100 });
  });

  it('refuses a second embedded database on the same data directory', async () => {
    await assert.rejects(startEmbeddedMongo({ dataDir: dir, log: quiet }), (err: unknown) => {
      assert.ok(err instanceof DataDirLockedError);
      assert.match(err.message, new RegExp(`in use by process ${process.pid}`));
      return true;
    });
    assert.equal(embedded.status().state, 'up', 'the refused start touched nothing');
  });

  it('stops both servers and releases the directory', async () => {
    const pids = embedded.pids();
    const identities = [pids.ferretdb, pids.postgres].map((pid) => processIdentity(pid ?? -1));
    await embedded.stop();
    assert.equal(embedded.status().state, 'down');
    for (const identity of identities) assert.ok(identity && !isAlive(identity), `pid ${identity?.pid} still running`);
    const again = await startEmbeddedMongo({ dataDir: dir, log: quiet, postgresSettings: { fsync: 'off' } });
    await again.stop();
  });
});
