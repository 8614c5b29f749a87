/**
 * Parsers for the value kinds of environment options. Each returns the value, or throws a
 * ConfigValueError whose message says what a valid value looks like (the caller adds the name).
 */

export class ConfigValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigValueError';
  }
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250ms`, `90s`, `10m`, `1h30m`, `2d` → milliseconds (> 0). A bare number is refused: its unit is a guess. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  let at = 0;
  while (at < trimmed.length) {
    part.lastIndex = at;
    const match = part.exec(trimmed);
    if (!match) throw new ConfigValueError(`'${text}' is not a duration; write it like 90s, 10m, 1h or 1h30m`);
    total += Number(match[1]) * (DURATION_UNITS[match[2] as string] as number);
    at = part.lastIndex;
  }
  if (trimmed === '' || total <= 0) throw new ConfigValueError(`'${text}' is not a positive duration; write it like 90s, 10m or 1h`);
  return Math.round(total);
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** `512`, `100kb`, `10m`, `1mb`, `2g` (binary units, case-insensitive) → bytes (> 0). */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match ? SIZE_UNITS[(match[2] as string).toLowerCase()] : undefined;
  if (!match || unit === undefined || Number(match[1]) <= 0) {
    throw new ConfigValueError(`'${text}' is not a size; write it like 512kb, 10m or 1mb`);
  }
  return Math.floor(Number(match[1]) * unit);
}

/** An integer in [min, max]. */
export function parseInteger(text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed) || Number(trimmed) < min || Number(trimmed) > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new ConfigValueError(`'${text}' is not a whole number ${range}`);
  }
  return Number(trimmed);
}

export function parseChoice<T extends string>(text: string, choices: readonly T[]): T {
  const value = text.trim().toLowerCase();
  const found = choices.find((c) => c === value);
  if (found === undefined) throw new ConfigValueError(`'${text}' is not one of ${choices.join(', ')}`);
  return found;
}

/**
 * A 32-byte key, written as 64 hex characters or as base64 (standard or URL-safe) of 32 bytes.
 * Returned normalised to 64 lowercase hex characters so the frozen config holds a plain string.
 */
export function parseKey32(text: string): string {
  const trimmed = text.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) return trimmed.toLowerCase();
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return bytes.toString('hex');
  }
  throw new ConfigValueError('must be 32 bytes written as 64 hex characters or base64; generate one with `openssl rand -hex 32`');
}

/** An http(s) URL without a trailing slash. */
export function parseHttpUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ConfigValueError(`'${text}' is not a URL; write it like http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigValueError(`'${text}' must start with http:// or https://`);
  }
  return url.href.replace(/\/+$/, '');
}

export function parseMongoUri(text: string): string {
  const trimmed = text.trim();
  if (!/^mongodb(\+srv)?:\/\/.+/.test(trimmed)) {
    throw new ConfigValueError('must be a MongoDB connection string like mongodb://host:27017/');
  }
  return trimmed;
}

/**
 * The database a MongoDB connection string names in its path (`mongodb://h/ci?…` → `ci`), as the
 * mongo shell and every driver read it; undefined when the path is empty.
 */
export function uriDatabase(uri: string): string | undefined {
  const afterScheme = uri.replace(/^mongodb(\+srv)?:\/\//, '');
  const slash = afterScheme.indexOf('/');
  if (slash === -1) return undefined;
  const path = afterScheme.slice(slash + 1).split('?')[0] ?? '';
  if (path === '') return undefined;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
