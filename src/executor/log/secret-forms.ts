/**
 * The forms a secret value can take in a step's output, derived from the value alone (pure).
 * A job that prints `$TOKEN` through `base64`, `xxd -p`, `jq`, `curl --data-urlencode` or
 * `tr a-z A-Z` prints one of these; each form is masked like the value itself.
 *
 * Length rule: the plain value, its case variants and its full encodings (hex, URL, JSON) are
 * masked from MIN_SECRET_LENGTH characters, as they are at least as distinctive as the value.
 * Base64 fragments carry only part of the value (the characters at the edges depend on what
 * surrounds it) and are masked only from MIN_FRAGMENT_LENGTH characters: shorter ones turn up
 * in ordinary output by chance often enough to wreck logs while hiding a few bits at most.
 */

export const MIN_SECRET_LENGTH = 3;
export const MIN_FRAGMENT_LENGTH = 6;

/** Every form of every secret worth masking, deduplicated, longest first. */
export function secretForms(secrets: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    for (const value of plainValues(secret)) {
      for (const form of fullForms(value)) if (form.length >= MIN_SECRET_LENGTH) out.add(form);
      for (const form of base64Fragments(value)) if (form.length >= MIN_FRAGMENT_LENGTH) out.add(form);
    }
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/**
 * The value; for a multi-line value (a private key) also the value with `\n` and with `\r\n`
 * line ends and each of its lines, so printing part of a key still hides that part.
 */
export function plainValues(secret: string): string[] {
  if (!/[\r\n]/.test(secret)) return [secret];
  const lines = secret.split(/\r?\n/);
  return unique([secret, lines.join('\n'), lines.join('\r\n'), ...lines.filter((l) => l.length >= MIN_SECRET_LENGTH)]);
}

/** The value, upper- and lower-cased, hex, URL- and JSON-encoded: forms that encode all of it. */
export function fullForms(value: string): string[] {
  const hex = Buffer.from(value, 'utf8').toString('hex');
  return unique([value, value.toUpperCase(), value.toLowerCase(), hex, hex.toUpperCase(), ...urlForms(value), ...jsonForms(value)]);
}

/**
 * encodeURIComponent, the stricter RFC 3986 form (`!'()*` escaped too: curl, Python's quote),
 * each with `+` for a space (form encoding) and with lower-case escapes.
 */
export function urlForms(value: string): string[] {
  let component: string;
  try {
    component = encodeURIComponent(value);
  } catch {
    return []; // a lone surrogate has no URL encoding
  }
  const strict = component.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const forms = [component, strict].flatMap((f) => [f, f.replaceAll('%20', '+')]);
  return unique([...forms, ...forms.map((f) => f.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()))]);
}

/**
 * The inside of JSON.stringify(value); with non-ASCII characters as `\uXXXX` (Python's
 * json.dumps) and with `/` as `\/` (PHP's json_encode).
 */
export function jsonForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const ascii = json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return unique([json, ascii, json.replaceAll('/', '\\/'), ascii.replaceAll('/', '\\/')]);
}

/**
 * The base64 characters fully determined by the value's UTF-8 bytes when it starts at each of
 * the three byte alignments, so the value is found inside a longer encoded text
 * (`base64(user:secret)`, a JSON document, a whole file); also in the URL-safe alphabet.
 */
export function base64Fragments(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  for (const shift of [0, 1, 2]) {
    // zero bytes around the value only fill the characters that are cut off
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes, Buffer.alloc(2)]).toString('base64');
    const fragment = encoded.slice(Math.ceil((shift * 8) / 6), Math.floor(((shift + bytes.length) * 8) / 6));
    out.push(fragment, fragment.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return unique(out);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
