import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { keyFingerprint, openSecret, sealSecret, SecretBoxError } from '../../../src/store/secret-box.ts';

const key = randomBytes(32);
const context = 'pistages-secret\0global\0NPM_TOKEN';

describe('secret-box (AES-256-GCM)', () => {
  it('round-trips any UTF-8 value, including empty and long ones', () => {
    for (const value of ['', 'hunter2', 'ünï©ødé 🔑', 'x'.repeat(100_000)]) {
      assert.equal(openSecret(key, sealSecret(key, value, context), context), value);
    }
  });

  it('uses a fresh 12-byte IV per value, so equal values encrypt differently', () => {
    const a = sealSecret(key, 'same', context);
    const b = sealSecret(key, 'same', context);
    assert.equal(a.iv.length, 12);
    assert.equal(a.tag.length, 16);
    assert.notDeepEqual(a.iv, b.iv);
    assert.notDeepEqual(a.ciphertext, b.ciphertext);
    assert.ok(!a.ciphertext.includes(Buffer.from('same')));
  });

  it('detects a changed ciphertext, tag or IV', () => {
    const sealed = sealSecret(key, 'top secret value', context);
    const flip = (buffer: Buffer, index: number): Buffer => {
      const copy = Buffer.from(buffer);
      copy[index] = copy[index]! ^ 0x01;
      return copy;
    };
    for (const tampered of [
      { ...sealed, ciphertext: flip(sealed.ciphertext, 3) },
      { ...sealed, tag: flip(sealed.tag, 0) },
      { ...sealed, iv: flip(sealed.iv, 11) },
      { ...sealed, ciphertext: sealed.ciphertext.subarray(1) },
    ]) {
      assert.throws(() => openSecret(key, tampered, context), (e: unknown) => e instanceof SecretBoxError && /modified/.test(e.message));
    }
  });

  it('binds the value to its context (name and scope)', () => {
    const sealed = sealSecret(key, 'v', context);
    assert.throws(() => openSecret(key, sealed, 'pistages-secret\0global\0OTHER'), SecretBoxError);
  });

  it('tells a wrong key apart from tampering, naming the setting to fix', () => {
    const sealed = sealSecret(key, 'v', context);
    assert.throws(() => openSecret(randomBytes(32), sealed, context), (e: unknown) => e instanceof SecretBoxError && /another key.*PISTAGES_SECRET_KEY/.test(e.message));
    // a forged fingerprint does not help: authentication still fails
    const other = randomBytes(32);
    assert.throws(() => openSecret(other, { ...sealed, keyId: keyFingerprint(other) }, context), /modified/);
  });

  it('accepts only 32-byte keys', () => {
    assert.throws(() => sealSecret(randomBytes(16), 'v', context), /32 bytes/);
    assert.throws(() => keyFingerprint(Buffer.alloc(0)), /32 bytes/);
    assert.match(keyFingerprint(key), /^[0-9a-f]{16}$/);
  });
});
