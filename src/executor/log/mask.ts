/**
 * Secret masking on a character stream, before the stream is split into lines, so a secret is
 * masked even when it spans chunk boundaries or lines (multi-line values such as private keys).
 *
 * Rules (the spec is silent; these are ours):
 * - Every occurrence of every value is replaced by `***`, scanning left to right; where several
 *   values start at the same place the longest wins; replaced text is not rescanned.
 * - Values shorter than MIN_SECRET_LENGTH characters are not masked: masking `a` or `1` would
 *   destroy the log while hiding almost nothing. Callers should reject such secrets up front.
 * - A multi-line value is also masked line by line (each line of at least MIN_SECRET_LENGTH
 *   characters), so printing part of a key still hides it, and with `\r\n` line ends as well.
 * - Streaming holds back only a tail that could still grow into a secret, so masking a stream in
 *   any chunking gives exactly `maskText` of the whole text, and ordinary lines are not delayed.
 */

export const MASK = '***';
export const MIN_SECRET_LENGTH = 3;

export interface StreamMasker {
  /** masks `text` appended to the stream; returns the part that can be released now */
  push(text: string): string;
  /** the stream ended: releases (masked) whatever was held back */
  end(): string;
}

export interface Masker {
  /** the values masked, deduplicated, longest first */
  readonly values: readonly string[];
  maskText(text: string): string;
  stream(): StreamMasker;
}

/** The values to mask for the given secrets, following the rules above. */
export function secretValuesToMask(secrets: Iterable<string>): string[] {
  const out = new Set<string>();
  const add = (value: string): void => {
    if (value.length >= MIN_SECRET_LENGTH) out.add(value);
  };
  for (const secret of secrets) {
    add(secret);
    if (!/[\r\n]/.test(secret)) continue;
    const lines = secret.split(/\r?\n/);
    add(lines.join('\n'));
    add(lines.join('\r\n'));
    for (const line of lines) add(line);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

export function createMasker(secrets: Iterable<string>): Masker {
  const values = secretValuesToMask(secrets);
  const masker: Masker = {
    values,
    maskText(text) {
      const s = masker.stream();
      return s.push(text) + s.end();
    },
    stream() {
      return values.length === 0 ? passThrough() : new Scanner(values);
    },
  };
  return masker;
}

function passThrough(): StreamMasker {
  return { push: (text) => text, end: () => '' };
}

class Scanner implements StreamMasker {
  private held = '';
  private readonly values: readonly string[];

  constructor(values: readonly string[]) {
    this.values = values;
  }

  push(text: string): string {
    return this.scan(this.held + text, false);
  }

  end(): string {
    return this.scan(this.held, true);
  }

  /** Masks `buf`; unless `final`, keeps back the earliest tail that may be the start of a secret. */
  private scan(buf: string, final: boolean): string {
    let out = '';
    let from = 0;
    // next occurrence of each value at or after `from` (-1: none left); refreshed when passed
    const next = this.values.map((value) => buf.indexOf(value));
    let undecided = final ? -1 : this.firstPossibleStart(buf, 0);
    for (;;) {
      let at = -1;
      let length = 0;
      this.values.forEach((value, i) => {
        let pos = next[i] ?? -1;
        if (pos !== -1 && pos < from) next[i] = pos = buf.indexOf(value, from);
        if (pos !== -1 && (at === -1 || pos < at)) [at, length] = [pos, value.length];
        // values are sorted longest first, so on a tie the earlier (longer) one is kept
      });
      if (undecided !== -1 && undecided < from) undecided = this.firstPossibleStart(buf, from);
      // a tail that may still become a (longer) secret stops the scan at or before any match there
      if (undecided !== -1 && (at === -1 || undecided <= at)) {
        this.held = buf.slice(undecided);
        return out + buf.slice(from, undecided);
      }
      if (at === -1) {
        this.held = '';
        return out + buf.slice(from);
      }
      out += buf.slice(from, at) + MASK;
      from = at + length;
    }
  }

  /** first position whose remaining text is a proper prefix of some value, or -1 */
  private firstPossibleStart(buf: string, from: number): number {
    const longest = this.values[0]?.length ?? 0;
    for (let at = Math.max(from, buf.length - longest + 1); at < buf.length; at++) {
      const rest = buf.length - at;
      for (const value of this.values) {
        if (value.length > rest && value.startsWith(buf.slice(at))) return at;
      }
    }
    return -1;
  }
}
