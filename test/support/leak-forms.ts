/**
 * What the secret-leak test looks for: random secrets from a seed, the forms of each that
 * test/fixtures/secret-leaks/print-forms.sh prints (and that masking must hide), and a search of
 * everything a sink holds (documents, answers, log lines) for any of them.
 */

/** mulberry32: a small seeded generator, so a failing run can be replayed with its seed */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** every printable ASCII character, space included */
export const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
/** what most API tokens are made of; such a secret can also be part of an output key */
export const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

export function randomSecret(random: () => number, alphabet: string, minLength: number, maxLength: number): string {
  const length = minLength + Math.floor(random() * (maxLength - minLength + 1));
  return Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
}

export interface Form {
  form: string;
  text: string;
}

/** where the script splits a value across two lines, and across stdout and stderr */
const SPLIT_AT = 6;

/**
 * The text of each form that must not survive. For base64 after a prefix of 0, 1 or 2 bytes, only
 * the characters the secret's bytes alone decide (the ones next to the prefix or the end depend on
 * them too). A value split in two is found by its pieces.
 */
export function leakForms(secret: string): Form[] {
  const bytes = Buffer.from(secret, 'utf8');
  const hex = bytes.toString('hex');
  const url = encodeURIComponent(secret);
  const forms: Form[] = [
    { form: 'plain', text: secret },
    { form: 'upper-cased', text: secret.toUpperCase() },
    { form: 'hex', text: hex },
    { form: 'HEX', text: hex.toUpperCase() },
    { form: 'URL-encoded', text: url },
    { form: 'form-encoded', text: url.replace(/%20/g, '+') },
    { form: 'JSON-escaped', text: JSON.stringify(secret).slice(1, -1) },
  ];
  for (const prefix of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(prefix, 'x'), bytes]).toString('base64');
    const text = encoded.slice(Math.ceil((prefix * 8) / 6), Math.floor(((prefix + bytes.length) * 8) / 6));
    forms.push({ form: `base64 after ${prefix} byte(s)`, text });
  }
  forms.push({ form: 'first piece of a split', text: secret.slice(0, SPLIT_AT) }, { form: 'second piece of a split', text: secret.slice(SPLIT_AT) });
  // the same text found twice names one form, the first
  return forms.filter((f, i) => forms.findIndex((g) => g.text === f.text) === i);
}

/** every string in a value: object keys and values, bytes read as UTF-8 */
export function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, out);
  else if (value !== null && typeof value === 'object') {
    const bson = value as { _bsontype?: string; buffer?: Uint8Array };
    if (bson._bsontype === 'Binary' && bson.buffer) return stringsIn(bson.buffer, out);
    if (bson._bsontype !== undefined) return out;
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      stringsIn(item, out);
    }
  }
  return out;
}

/** text as written, plus the strings of every line that parses as JSON (log lines, SSE data) */
export function stringsInText(text: string): string[] {
  const out = [text];
  for (const line of text.split('\n')) {
    const json = line.startsWith('data:') ? line.slice(5).trim() : line.trim();
    if (!json.startsWith('{') && !json.startsWith('[')) continue;
    try {
      stringsIn(JSON.parse(json), out);
    } catch {
      // not JSON: the text itself was searched
    }
  }
  return out;
}

/** an HTML page's text with its character references decoded */
export function htmlText(html: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return html.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
    return named[ref.toLowerCase()] ?? whole;
  });
}

export interface Secret {
  name: string;
  value: string;
}

/** `NAME (form) in where` for every form of every secret found in `strings` */
export function findLeaks(where: string, strings: readonly string[], secrets: readonly Secret[]): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    for (const { form, text } of leakForms(secret.value)) {
      if (strings.some((s) => s.includes(text))) found.push(`${secret.name} (${form}) in ${where}`);
    }
  }
  return found;
}
