import type { Binary, Db } from 'mongodb';
import { NotFoundError, type SecretScope, type SecretStore } from '../store.ts';
import { openSecret, sealSecret, SecretBoxError } from '../secret-box.ts';
import { assertSecretName, assertSecretScope, GLOBAL_SCOPE, repoScope } from '../secret-names.ts';
import { isDuplicateKey } from './mongo-errors.ts';

/**
 * SecretStore on `secrets`: one document per (name, scope) holding only the AES-256-GCM sealed
 * value (iv, ciphertext, tag, key fingerprint). The plaintext exists only in memory, in put() and
 * in what resolve() returns. The name and scope are bound into the ciphertext as associated data.
 */
interface SecretDoc {
  name: string;
  scope: SecretScope;
  iv: Buffer | Binary;
  ciphertext: Buffer | Binary;
  tag: Buffer | Binary;
  keyId: string;
  createdAt: Date;
  updatedAt: Date;
}

export class MongoSecretStore implements SecretStore {
  readonly #secrets;
  readonly #key: Buffer;
  readonly #now: () => Date;

  constructor(db: Db, key: Buffer, now: () => Date) {
    this.#secrets = db.collection<SecretDoc>('secrets');
    this.#key = key;
    this.#now = now;
  }

  async put(name: string, scope: SecretScope, value: string): Promise<void> {
    assertSecretName(name);
    assertSecretScope(scope);
    const sealed = sealSecret(this.#key, value, context(name, scope));
    const now = this.#now();
    const update = {
      $set: { iv: sealed.iv, ciphertext: sealed.ciphertext, tag: sealed.tag, keyId: sealed.keyId, updatedAt: now },
      $setOnInsert: { createdAt: now },
    };
    try {
      await this.#secrets.updateOne({ name, scope }, update, { upsert: true });
    } catch (error) {
      // two upserts of a new secret raced: the loser updates the winner's document
      if (!isDuplicateKey(error)) throw error;
      await this.#secrets.updateOne({ name, scope }, update);
    }
  }

  async list(scope?: SecretScope): Promise<{ name: string; scope: SecretScope; updatedAt: Date }[]> {
    if (scope !== undefined) assertSecretScope(scope);
    const docs = await this.#secrets
      .find(scope === undefined ? {} : { scope }, { projection: { _id: 0, name: 1, scope: 1, updatedAt: 1 } })
      .sort({ scope: 1, name: 1 })
      .toArray();
    return docs.map(({ name, scope: s, updatedAt }) => ({ name, scope: s, updatedAt }));
  }

  async remove(name: string, scope: SecretScope): Promise<boolean> {
    assertSecretScope(scope);
    return (await this.#secrets.deleteOne({ name, scope })).deletedCount === 1;
  }

  async resolve(names: string[], repo: string | undefined): Promise<Record<string, string>> {
    const wanted = [...new Set(names)];
    if (wanted.length === 0) return {};
    const scopes = repo === undefined ? [GLOBAL_SCOPE] : [GLOBAL_SCOPE, repoScope(repo)];
    const docs = await this.#secrets.find({ name: { $in: wanted }, scope: { $in: scopes } }).toArray();
    const chosen = new Map<string, SecretDoc>();
    for (const doc of docs) {
      // the repository's own secret wins over a global one of the same name
      if (!chosen.has(doc.name) || doc.scope !== GLOBAL_SCOPE) chosen.set(doc.name, doc);
    }
    const missing = wanted.filter((name) => !chosen.has(name));
    if (missing.length > 0) {
      const where = repo === undefined ? 'scope global' : `scope global or ${repoScope(repo)}`;
      throw new NotFoundError(`secrets not found (${where}): ${missing.join(', ')}; add them with \`pistages secrets set\` or the API`);
    }
    const values: Record<string, string> = {};
    for (const name of wanted) {
      const doc = chosen.get(name) as SecretDoc;
      const sealed = { iv: bytes(doc.iv), ciphertext: bytes(doc.ciphertext), tag: bytes(doc.tag), keyId: doc.keyId };
      try {
        values[name] = openSecret(this.#key, sealed, context(doc.name, doc.scope));
      } catch (error) {
        throw new SecretBoxError(`secret ${doc.name} (${doc.scope}): ${(error as Error).message}`);
      }
    }
    return values;
  }
}

function context(name: string, scope: SecretScope): string {
  return `pistages-secret\0${scope}\0${name}`;
}

/** Binary fields come back as BSON Binary */
function bytes(value: Buffer | Binary): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer);
}
