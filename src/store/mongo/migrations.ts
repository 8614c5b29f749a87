import type { Db } from 'mongodb';
import { isDuplicateKey } from './mongo-errors.ts';

/**
 * Versioned schema changes. Each migration runs once per database: its id is inserted into
 * `migrations` (the `_id` unique index) *before* `up` runs, so of two processes starting together
 * exactly one applies it and the other waits until it is recorded `done`. `up` must be safe to run
 * again after a crash (createIndex is), because a failed `up` removes its claim to be retried.
 */
export interface Migration {
  /** sortable, never reused, e.g. `0001-runs-indexes` */
  id: string;
  description: string;
  up(db: Db): Promise<void>;
}

interface MigrationDoc {
  _id: string;
  state: 'applying' | 'done';
  description: string;
  owner: string;
  startedAt: Date;
  appliedAt?: Date;
}

export interface MigrateOptions {
  /** identifies this process in the claim, for the operator reading a stuck migration */
  owner: string;
  /** how long to wait for another process's migration, default 60 s */
  waitMs?: number;
  now: () => Date;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** Applies the migrations not yet recorded, in id order. Returns the ids this call applied. */
export async function migrate(db: Db, migrations: readonly Migration[], options: MigrateOptions): Promise<string[]> {
  const collection = db.collection<MigrationDoc>('migrations');
  const applied: string[] = [];
  for (const migration of [...migrations].sort((a, b) => a.id.localeCompare(b.id))) {
    const existing = await collection.findOne({ _id: migration.id });
    if (existing?.state === 'done') continue;
    if (!existing && (await claim(db, migration, options))) {
      try {
        await migration.up(db);
      } catch (error) {
        await collection.deleteOne({ _id: migration.id, owner: options.owner });
        throw new MigrationError(`migration ${migration.id} failed: ${(error as Error).message}`);
      }
      await collection.updateOne({ _id: migration.id }, { $set: { state: 'done', appliedAt: options.now() } });
      applied.push(migration.id);
      continue;
    }
    await waitForDone(db, migration.id, options.waitMs ?? 60_000);
  }
  return applied;
}

async function claim(db: Db, migration: Migration, options: MigrateOptions): Promise<boolean> {
  try {
    await db.collection<MigrationDoc>('migrations').insertOne({
      _id: migration.id,
      state: 'applying',
      description: migration.description,
      owner: options.owner,
      startedAt: options.now(),
    });
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

async function waitForDone(db: Db, id: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const doc = await db.collection<MigrationDoc>('migrations').findOne({ _id: id });
    if (doc === null) {
      // its owner failed and released it: the next start (or retry) applies it
      throw new MigrationError(`migration ${id} failed in another process; restart to apply it again`);
    }
    if (doc.state === 'done') return;
    if (Date.now() > deadline) {
      throw new MigrationError(
        `migration ${id} was started by ${doc.owner} at ${doc.startedAt.toISOString()} and has not finished; ` +
          `if that process died, delete {_id: "${id}"} from the migrations collection and start again`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
