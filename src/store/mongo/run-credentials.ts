import type { Binary, Db } from 'mongodb';
import type { RunCredentialStore } from '../store.ts';
import { openSecret, sealSecret } from '../secret-box.ts';

/**
 * RunCredentialStore on `run_credentials`: one document per run, the values sealed together with
 * the secrets key (AES-256-GCM, the run id bound in as associated data), `expiresAt` set to when
 * the values stop working. Expired documents are deleted on the next put (and by a TTL index
 * where the server has one).
 */
interface CredentialDoc {
  _id: string;
  iv: Buffer | Binary;
  ciphertext: Buffer | Binary;
  tag: Buffer | Binary;
  keyId: string;
  expiresAt: Date;
}

export class MongoRunCredentialStore implements RunCredentialStore {
  readonly #docs;
  readonly #key: Buffer;
  readonly #now: () => Date;

  constructor(db: Db, key: Buffer, now: () => Date) {
    this.#docs = db.collection<CredentialDoc>('run_credentials');
    this.#key = key;
    this.#now = now;
  }

  async put(runId: string, values: Record<string, string>, expiresAt: Date): Promise<void> {
    await this.#docs.deleteMany({ expiresAt: { $lt: this.#now() } });
    const sealed = sealSecret(this.#key, JSON.stringify(values), context(runId));
    const doc = { iv: sealed.iv, ciphertext: sealed.ciphertext, tag: sealed.tag, keyId: sealed.keyId, expiresAt };
    await this.#docs.replaceOne({ _id: runId }, doc, { upsert: true });
  }

  async get(runId: string, now: Date): Promise<Record<string, string>> {
    const doc = await this.#docs.findOne({ _id: runId });
    if (doc === null || doc.expiresAt.getTime() <= now.getTime()) return {};
    const text = openSecret(this.#key, { iv: bytes(doc.iv), ciphertext: bytes(doc.ciphertext), tag: bytes(doc.tag), keyId: doc.keyId }, context(runId));
    return JSON.parse(text) as Record<string, string>;
  }
}

function context(runId: string): string {
  return `pistages-run-credentials\0${runId}`;
}

function bytes(value: Buffer | Binary): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer);
}
