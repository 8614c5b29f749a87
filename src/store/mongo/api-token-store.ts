import type { Db } from 'mongodb';
import { assertTokenFields } from '../api-token-rules.ts';
import { ConflictError, type ApiTokenRecord, type ApiTokenStore } from '../store.ts';
import { isDuplicateKey } from './mongo-errors.ts';

/** how stale `lastUsedAt` may get: a token used on every request costs one write a minute, not one per request */
const TOUCH_INTERVAL_MS = 60_000;

/** ApiTokenStore on `api_tokens`: one document per token, unique by name and by hash (migration 0006). */
type TokenDoc = ApiTokenRecord & { hash: string };

const PUBLIC_FIELDS = { _id: 0, name: 1, role: 1, repos: 1, createdAt: 1, lastUsedAt: 1, createdBy: 1 } as const;

export class MongoApiTokenStore implements ApiTokenStore {
  readonly #tokens;
  readonly #now: () => Date;

  constructor(db: Db, now: () => Date) {
    this.#tokens = db.collection<TokenDoc>('api_tokens');
    this.#now = now;
  }

  async create(token: Omit<ApiTokenRecord, 'createdAt' | 'lastUsedAt'>, hash: string): Promise<ApiTokenRecord> {
    assertTokenFields(token);
    const record: ApiTokenRecord = { name: token.name, role: token.role, repos: [...token.repos], createdAt: this.#now(), createdBy: token.createdBy };
    try {
      await this.#tokens.insertOne({ ...record, hash });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // FerretDB does not say which index: a hash collision of 32 random bytes does not happen
      throw new ConflictError(`a token named '${token.name}' exists; revoke it first (pistages tokens revoke ${token.name}) or choose another name`);
    }
    return record;
  }

  async findByHash(hash: string): Promise<ApiTokenRecord | null> {
    return toRecord(await this.#tokens.findOne({ hash }, { projection: PUBLIC_FIELDS }));
  }

  async list(): Promise<ApiTokenRecord[]> {
    const docs = await this.#tokens.find({}, { projection: PUBLIC_FIELDS }).sort({ name: 1 }).toArray();
    return docs.map((doc) => toRecord(doc) as ApiTokenRecord);
  }

  async remove(name: string): Promise<boolean> {
    return (await this.#tokens.deleteOne({ name })).deletedCount === 1;
  }

  async touch(name: string, now: Date): Promise<void> {
    const stale = new Date(now.getTime() - TOUCH_INTERVAL_MS);
    await this.#tokens.updateOne({ name, $or: [{ lastUsedAt: { $exists: false } }, { lastUsedAt: { $lte: stale } }] }, { $set: { lastUsedAt: now } });
  }
}

function toRecord(doc: Partial<TokenDoc> | null): ApiTokenRecord | null {
  if (doc === null) return null;
  const { name, role, repos, createdAt, lastUsedAt, createdBy } = doc as TokenDoc;
  return { name, role, repos, createdAt, createdBy, ...(lastUsedAt !== undefined && lastUsedAt !== null && { lastUsedAt }) };
}
