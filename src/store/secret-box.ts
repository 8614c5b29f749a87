import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption of secret values at rest: AES-256-GCM, a fresh random 12-byte IV per
 * value, the 16-byte tag stored beside the ciphertext. `context` is bound as additional data so a
 * ciphertext copied to another secret's slot (name/scope) fails to open instead of leaking there.
 */

export interface SealedSecret {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
  /** fingerprint of the key that sealed it (not secret): tells "wrong key" from "tampered" */
  keyId: string;
}

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The first 8 bytes of SHA-256 of the key, hex. Safe to store: a 256-bit key cannot be recovered from it. */
export function keyFingerprint(key: Buffer): string {
  assertKey(key);
  return createHash('sha256').update('pistages-secret-key-id\0').update(key).digest('hex').slice(0, 16);
}

export function sealSecret(key: Buffer, plaintext: string, context: string): SealedSecret {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag(), keyId: keyFingerprint(key) };
}

/** Throws SecretBoxError when the key differs from the sealing key or any byte was changed. */
export function openSecret(key: Buffer, sealed: SealedSecret, context: string): string {
  assertKey(key);
  if (sealed.keyId !== keyFingerprint(key)) {
    throw new SecretBoxError(
      `secret was encrypted with another key (fingerprint ${sealed.keyId}); ` +
        'set PISTAGES_SECRET_KEY to the key in use when it was stored, or store the secret again',
    );
  }
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) {
    throw new SecretBoxError('stored secret is malformed (IV or tag length); store the secret again');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(sealed.tag);
  try {
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError('stored secret failed authentication: it was modified or moved; store the secret again');
  }
}

function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) {
    throw new SecretBoxError(`secret key must be ${KEY_BYTES} bytes, got ${key.length}; check PISTAGES_SECRET_KEY`);
  }
}
