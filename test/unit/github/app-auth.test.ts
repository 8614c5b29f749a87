import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { checkAppId, normalisePrivateKey } from '../../../src/github/app-auth.ts';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

/** the key with one line of its base64 body removed: still PEM-shaped, no longer a key */
const withoutLine = (pem: string, index: number) => pem.split('\n').filter((_, i) => i !== index).join('\n');

describe('normalisePrivateKey', () => {
  const sameKey = (pem: string) =>
    assert.equal(createPrivateKey(pem).export({ type: 'pkcs1', format: 'pem' }).toString(), createPrivateKey(privateKey).export({ type: 'pkcs1', format: 'pem' }).toString());

  it('turns the PKCS#1 file GitHub hands out into PKCS#8', () => {
    const pem = normalisePrivateKey(privateKey);
    assert.match(pem, /^-----BEGIN PRIVATE KEY-----\n/);
    sameKey(pem);
  });

  it('accepts the key squeezed onto one line with \\n, quoted, with surrounding blanks', () => {
    sameKey(normalisePrivateKey(`  "${privateKey.trim().replace(/\n/g, '\\n')}"\n`));
    sameKey(normalisePrivateKey(privateKey.replace(/\n/g, '\\r\\n')));
  });

  it('names GITHUB_PRIVATE_KEY for text that is not a usable RSA key', () => {
    assert.throws(() => normalisePrivateKey('a-token-string-not-a-key'), /GITHUB_PRIVATE_KEY.*PEM private key/);
    assert.throws(() => normalisePrivateKey(withoutLine(privateKey, 3)), /GITHUB_PRIVATE_KEY.*not a usable private key/);
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.throws(() => normalisePrivateKey(ed), /GITHUB_PRIVATE_KEY.*RSA/);
  });
});

describe('checkAppId', () => {
  it('accepts positive integers and names GITHUB_APP_ID otherwise', () => {
    checkAppId(12345);
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => checkAppId(bad), /GITHUB_APP_ID/);
  });
});
