/**
 * Reads fields of a webhook payload by path, checking each type on the way, so a malformed
 * delivery fails with a `PayloadError` that names the field instead of a TypeError deep inside.
 */

/** A delivery whose payload lacks a field Pistages needs (recorded on the delivery as why it failed). */
export class PayloadError extends Error {
  constructor(
    readonly event: string,
    /** dotted path of the field, e.g. `pull_request.head.sha` */
    readonly field: string,
    expected: string,
    found: unknown,
  ) {
    super(`${event} payload: '${field}' should be ${expected}, but it is ${describe(found, expected)}`);
    this.name = 'PayloadError';
  }
}

function describe(value: unknown, expected: string): string {
  if (value === undefined) return 'missing';
  // a string of the wrong form: say so (quoting it could repeat whatever a sender put there)
  if (typeof value === 'string' && expected.startsWith('a commit sha')) return `a string of ${value.length} characters that is not one`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class PayloadReader {
  readonly #event: string;
  readonly #value: Record<string, unknown>;
  readonly #path: string;

  /** throws PayloadError when `value` is not an object */
  constructor(event: string, value: unknown, path = '') {
    if (!isObject(value)) throw new PayloadError(event, path || '(payload)', 'an object', value);
    this.#event = event;
    this.#value = value;
    this.#path = path;
  }

  #where(key: string): string {
    return this.#path ? `${this.#path}.${key}` : key;
  }

  #fail(key: string, expected: string): never {
    throw new PayloadError(this.#event, this.#where(key), expected, this.#value[key]);
  }

  /** the raw value, unchecked */
  raw(key: string): unknown {
    return this.#value[key];
  }

  obj(key: string): PayloadReader {
    if (!isObject(this.#value[key])) this.#fail(key, 'an object');
    return new PayloadReader(this.#event, this.#value[key], this.#where(key));
  }

  /** undefined when the field is absent or null */
  optObj(key: string): PayloadReader | undefined {
    return this.#value[key] == null ? undefined : this.obj(key);
  }

  str(key: string): string {
    const value = this.#value[key];
    if (typeof value !== 'string' || value === '') this.#fail(key, 'a non-empty string');
    return value;
  }

  /** a commit sha (40 hex characters, or 64 in a SHA-256 repository); anything else would only 404 later, on every retry */
  sha(key: string): string {
    const value = this.str(key);
    if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(value)) this.#fail(key, 'a commit sha (40 hexadecimal characters)');
    return value;
  }

  /** undefined when the field is absent, null or empty */
  optStr(key: string): string | undefined {
    const value = this.#value[key];
    if (value == null || value === '') return undefined;
    if (typeof value !== 'string') this.#fail(key, 'a string');
    return value;
  }

  int(key: string): number {
    const value = this.#value[key];
    if (typeof value !== 'number' || !Number.isInteger(value)) this.#fail(key, 'a whole number');
    return value;
  }

  optInt(key: string): number | undefined {
    return this.#value[key] == null ? undefined : this.int(key);
  }

  optBool(key: string): boolean | undefined {
    const value = this.#value[key];
    if (value == null) return undefined;
    if (typeof value !== 'boolean') this.#fail(key, 'true or false');
    return value;
  }

  /** the items of a list of objects; undefined when the field is absent */
  optList(key: string): PayloadReader[] | undefined {
    const value = this.#value[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) this.#fail(key, 'a list');
    return value.map((item, index) => new PayloadReader(this.#event, item, `${this.#where(key)}[${index}]`));
  }

  /** a list of strings; undefined when the field is absent */
  optStrings(key: string): string[] | undefined {
    const value = this.#value[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) this.#fail(key, 'a list of strings');
    return value as string[];
  }
}
