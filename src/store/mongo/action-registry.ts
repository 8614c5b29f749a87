import type { Db } from 'mongodb';
import type { JobFile } from '../../pipeline/types.ts';
import { ConflictError, type ActionRecord, type ActionRegistry, type ActionSource } from '../store.ts';
import { noLock, type DocLock } from './doc-lock.ts';
import { isDuplicateKey } from './mongo-errors.ts';

/**
 * `actions` holds the current version of each action (unique name); `action_versions` keeps every
 * version that was replaced or removed (unique name+version), so history survives removal and a
 * re-registered name continues the version numbers. The JobFile is stored as JSON text because
 * its `with`/`env` keys are user-chosen (see run-document.ts on keys with `.` and `$`).
 */
interface ActionDoc {
  name: string;
  description?: string;
  yaml: string;
  definitionJson: string;
  source: ActionSource;
  version: number;
  updatedAt: Date;
}

interface ActionVersionDoc extends ActionDoc {
  /** when this version stopped being current */
  retiredAt: Date;
}

const MAX_ROUNDS = 10;

export class MongoActionRegistry implements ActionRegistry {
  readonly #actions;
  readonly #versions;
  readonly #now: () => Date;
  readonly #lock: DocLock;

  /** `lock` serialises changes of one name where the server's updates are not atomic */
  constructor(db: Db, now: () => Date, lock: DocLock = noLock) {
    this.#actions = db.collection<ActionDoc>('actions');
    this.#versions = db.collection<ActionVersionDoc>('action_versions');
    this.#now = now;
    this.#lock = lock;
  }

  put(definition: JobFile, yaml: string, source: ActionSource, options: { replace: boolean }): Promise<ActionRecord> {
    return this.#lock.run(`action:${definition.name}`, () => this.#put(definition, yaml, source, options));
  }

  async #put(definition: JobFile, yaml: string, source: ActionSource, options: { replace: boolean }): Promise<ActionRecord> {
    const name = definition.name;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const current = await this.#actions.findOne({ name });
      const fields = {
        name,
        ...(definition.description !== undefined && { description: definition.description }),
        yaml,
        definitionJson: JSON.stringify(definition),
        source: definedOnly(source),
        updatedAt: this.#now(),
      };
      if (current === null) {
        const version = (await this.#latestRetiredVersion(name)) + 1;
        try {
          const doc: ActionDoc = { ...fields, version };
          await this.#actions.insertOne({ ...doc });
          return toRecord(doc);
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          if (!options.replace) throw conflict(name);
          continue; // registered concurrently: replace that one
        }
      }
      if (!options.replace) throw conflict(name, current.version);
      await this.#retire(current);
      const doc: ActionDoc = { ...fields, version: current.version + 1 };
      // only if nobody replaced it since we read it; else read again
      const result = await this.#actions.replaceOne({ name, version: current.version }, doc);
      if (result.matchedCount === 1) return toRecord(doc);
    }
    throw new Error(`action "${name}" is being changed concurrently; try again`);
  }

  async get(name: string): Promise<ActionRecord | null> {
    const doc = await this.#actions.findOne({ name });
    return doc && toRecord(doc);
  }

  async list(): Promise<ActionRecord[]> {
    const docs = await this.#actions.find({}).sort({ name: 1 }).toArray();
    return docs.map(toRecord);
  }

  async history(name: string): Promise<ActionRecord[]> {
    const docs = await this.#versions.find({ name }).sort({ version: -1 }).toArray();
    return docs.map(toRecord);
  }

  /** Removes the current version; it stays in history. */
  remove(name: string): Promise<boolean> {
    return this.#lock.run(`action:${name}`, () => this.#remove(name));
  }

  async #remove(name: string): Promise<boolean> {
    const current = await this.#actions.findOne({ name });
    if (current === null) return false;
    await this.#retire(current);
    const result = await this.#actions.deleteOne({ name, version: current.version });
    return result.deletedCount === 1;
  }

  /** Copies a version into history; idempotent (a copy of the same version may already be there). */
  async #retire(doc: ActionDoc): Promise<void> {
    const { name, description, yaml, definitionJson, source, version, updatedAt } = doc;
    const copy: ActionVersionDoc = { name, yaml, definitionJson, source, version, updatedAt, retiredAt: this.#now() };
    if (description !== undefined) copy.description = description;
    try {
      await this.#versions.insertOne(copy);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  async #latestRetiredVersion(name: string): Promise<number> {
    const latest = await this.#versions.find({ name }, { projection: { version: 1 } }).sort({ version: -1 }).limit(1).next();
    return latest?.version ?? 0;
  }
}

function toRecord(doc: ActionDoc): ActionRecord {
  const record: ActionRecord = {
    name: doc.name,
    yaml: doc.yaml,
    definition: JSON.parse(doc.definitionJson) as JobFile,
    source: doc.source,
    version: doc.version,
    updatedAt: doc.updatedAt,
  };
  if (doc.description !== undefined) record.description = doc.description;
  return record;
}

/** undefined would be stored as null by the driver */
function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function conflict(name: string, version?: number): ConflictError {
  const which = version === undefined ? '' : ` (version ${version})`;
  return new ConflictError(`action "${name}" is already registered${which}; pass replace to register a new version`);
}
