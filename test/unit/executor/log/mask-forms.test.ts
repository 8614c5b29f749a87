import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createMasker, type Masker } from '../../../../src/executor/log/mask.ts';

/** printable ASCII but `*` (the mask itself), and some UTF-8 of 2, 3 and 4 bytes */
const secretChar = fc.oneof(
  { weight: 9, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).filter((c) => c !== 0x2a).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('é', 'ß', 'ü', '€', '日', '😀') },
);
const secretArb = fc.string({ unit: secretChar, minLength: 8, maxLength: 64 });
const noiseArb = fc.string({ unit: fc.constantFrom(' ', '.', ':', '=', '"', 'x', 'z', '\n', '\r\n', 'line '), maxLength: 12 });

const B64 = ['base64', 'base64url'] as const;
/** each form written here from its definition, not by the code under test */
const FORMS: Record<string, (s: string) => string> = {
  plain: (s) => s,
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  hex: (s) => Buffer.from(s).toString('hex'),
  HEX: (s) => Buffer.from(s).toString('hex').toUpperCase(),
  url: (s) => encodeURIComponent(s),
  form: (s) => encodeURIComponent(s).replaceAll('%20', '+'),
  json: (s) => JSON.stringify(s).slice(1, -1),
};

interface Embedded {
  text: string;
  /** where the characters that only the secret determines are */
  from: number;
  to: number;
}

/** `kind` of the secret between two noises; base64 kinds encode `before + secret + after` whole */
function embed(secret: string, kind: string, before: string, after: string, noise: [string, string]): Embedded {
  const [left, right] = noise;
  const encode = FORMS[kind];
  if (encode !== undefined) {
    const form = encode(secret);
    return { text: left + form + right, from: left.length, to: left.length + form.length };
  }
  const bytes = Buffer.from(before + secret + after);
  const encoded = bytes.toString(kind as (typeof B64)[number]);
  const start = Buffer.byteLength(before) * 8;
  const end = start + Buffer.byteLength(secret) * 8;
  // character i holds bits [6i, 6i + 6): those wholly inside the secret's bits are its own
  return { text: left + encoded + right, from: left.length + Math.ceil(start / 6), to: left.length + Math.floor(end / 6) };
}

/**
 * Breaks the line inside [from, to) at `at` (offsets into the form, at most two), as `base64`
 * wrapping or two `echo`s would. Returns the text and how many leading characters of the form
 * may stay visible (a value split after its first one or two characters shows those).
 */
function breakLines(e: Embedded, at: number[], crlf: boolean[]): { text: string; visible: number } {
  const length = e.to - e.from;
  const cuts = [...new Set(at.map((a) => 1 + (a % (length - 1))))].sort((a, b) => a - b).slice(0, 2);
  // a first piece of 1–2 characters then another of 1–2: nothing long enough to start a match
  if (cuts.length === 2 && (cuts[0] as number) <= 2 && (cuts[1] as number) - (cuts[0] as number) < 3) cuts.pop();
  let text = e.text.slice(0, e.from);
  let last = 0;
  cuts.forEach((cut, i) => {
    text += e.text.slice(e.from + last, e.from + cut) + (crlf[i] ? '\r\n' : '\n');
    last = cut;
  });
  text += e.text.slice(e.from + last);
  const first = cuts[0];
  return { text, visible: first !== undefined && first <= 2 ? first : 0 };
}

function maskInChunks(masker: Masker, text: string, cuts: number[]): string {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const stream = masker.stream();
  let out = '';
  let from = 0;
  for (const p of [...points, text.length]) {
    out += stream.push(text.slice(from, p));
    from = p;
  }
  return out + stream.end();
}

describe('masking every form of a secret', () => {
  it('leaves no form of a random secret, at any alignment, in any chunking, on one line or split over up to two (property)', () => {
    fc.assert(
      fc.property(
        fc.array(secretArb, { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.constantFrom(...Object.keys(FORMS), ...B64),
        fc.string({ maxLength: 5 }),
        fc.string({ maxLength: 3 }),
        fc.tuple(noiseArb, noiseArb),
        fc.array(fc.nat(), { maxLength: 2 }),
        fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (secrets, which, kind, before, after, noise, breaks, crlf, cuts) => {
          const secret = secrets[which % secrets.length] as string;
          const embedded = embed(secret, kind, before, after, noise);
          const form = embedded.text.slice(embedded.from, embedded.to);
          const { text, visible } = breakLines(embedded, breaks, crlf);
          const masker = createMasker(secrets);
          const out = maskInChunks(masker, text, cuts);
          assert.equal(out, masker.maskText(text), 'chunking changed the result');
          const joined = out.replace(/\r?\n/g, '');
          assert.ok(!joined.includes(form.slice(visible)), `${kind} form ${JSON.stringify(form)} survived in ${JSON.stringify(out)}`);
          assert.equal(out.split(/\r?\n/).length, text.split(/\r?\n/).length, 'line breaks are kept');
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('masks each piece of a value split over lines and keeps the lines', () => {
    const m = createMasker(['tok3n-Secr3t/value']);
    assert.equal(m.maskText('a tok3n-Se\ncr3t/value b\n'), 'a ***\n*** b\n');
    assert.equal(m.maskText('tok3n\r\n-Sec\nr3t/value'), '***\r\n***\n***');
    assert.equal(m.maskText(`echo ${Buffer.from('user:tok3n-Secr3t/value').toString('base64').replace(/(.{10})/, '$1\n')}`), 'echo dXNlcjp***\n***U=');
  });

  it('does not mask a value split over more line breaks than allowed, nor one broken into pieces of one or two characters', () => {
    const m = createMasker(['tok3n-Secr3t/value']);
    assert.equal(m.maskText('tok3n\n-Sec\n\nr3t/value'), 'tok3n\n-Sec\n\nr3t/value');
    assert.equal(m.maskText('to\nk\n3n-Secr3t/value'), 'to\nk\n3n-Secr3t/value');
  });

  it('leaves ordinary text untouched', () => {
    const m = createMasker(['fake-t0k3n-V4lu3-123', 'hunter2-but-longer', 'p@ss w0rd/x?y&z', 'FAKEKEYID0123456789']);
    const log = [
      '#5 [build 2/4] RUN npm ci --omit=dev',
      '#5 sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 12.3MB / 40.1MB 2.1s',
      'added 412 packages, and audited 413 packages in 9s',
      'PASS test/unit/executor/log/mask.test.ts (1.2 s)',
      'warning: unused variable `x` at src/main.rs:12:9',
      'Authorization: Basic dXNlcjpwYXNzd29yZA==',
      '{"level":30,"msg":"GET /api/runs?status=running&limit=50 200","time":1714521600000}',
      '',
    ].join('\n');
    assert.equal(m.maskText(log), log);
    fc.assert(
      fc.property(fc.array(fc.constantFrom('build', 'ok', 'src/index.ts', ' ', '\n', '\r\n', 'warning: x', '#12 DONE 0.4s', 'éè'), { maxLength: 50 }), (words) => {
        const text = words.join('');
        assert.equal(m.maskText(text), text);
      }),
    );
  });

  it('releases a line at once unless it ends in the first three characters of a form', () => {
    const s = createMasker(['tok3n-Secr3t/value']).stream();
    assert.equal(s.push('building\n'), 'building\n');
    assert.equal(s.push('token tok3\n'), 'token ', 'may continue on the next line');
    assert.equal(s.push('n-Secr3t/value done\n'), '***\n*** done\n');
    assert.equal(s.push('to\n'), 'to\n', 'two characters do not hold a line');
  });

  it('holds back no more than one match could cover, however long the stream', () => {
    const m = createMasker(['aaaaaaaaaaaaaaaaaaab']);
    const s = m.stream();
    let received = 0;
    let released = 0;
    for (let i = 0; i < 20_000; i++) {
      const chunk = i % 100 === 0 ? '\n' : 'a';
      received += chunk.length;
      released += s.push(chunk).length;
      assert.ok(received - released <= 20 + 2 * 2, `held ${received - released} characters`);
    }
    assert.equal(released + s.end().length, received);
  });
});
