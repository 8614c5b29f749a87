/**
 * Splits a text stream into lines: `\n` ends a line and a `\r` right before it is dropped; a lone
 * `\r` (progress bars) stays in the line. A line longer than `maxLineChars` is cut into pieces of
 * that size, so a process printing gigabytes without a newline does not grow memory.
 */

export const DEFAULT_MAX_LINE_CHARS = 64 * 1024;

export class LineSplitter {
  private partial = '';
  private readonly maxLineChars: number;

  constructor(maxLineChars = DEFAULT_MAX_LINE_CHARS) {
    if (!(maxLineChars >= 2)) throw new RangeError(`maxLineChars must be at least 2, got ${maxLineChars}`);
    this.maxLineChars = maxLineChars;
  }

  /** the complete lines `text` finishes; the rest is kept for the next call */
  push(text: string): string[] {
    const lines: string[] = [];
    let buf = this.partial + text;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf('\n', start);
      if (nl === -1) break;
      this.cutLong(buf.slice(start, nl), lines, true);
      start = nl + 1;
    }
    buf = buf.slice(start);
    this.partial = this.cutLong(buf, lines, false);
    return lines;
  }

  /** the stream ended: the last line if it had no newline */
  end(): string[] {
    const rest = this.partial;
    this.partial = '';
    if (rest === '') return [];
    return [stripCr(rest)];
  }

  /**
   * Emits full-size pieces of `text`; returns what is left (all of it is emitted when `complete`).
   * A `\r` at a cut is kept back with the rest, as it may be the first half of a `\r\n`.
   */
  private cutLong(text: string, lines: string[], complete: boolean): string {
    let rest = complete ? stripCr(text) : text;
    while (rest.length > this.maxLineChars) {
      let cut = this.maxLineChars;
      // never split a UTF-16 surrogate pair
      if (isHighSurrogate(rest.charCodeAt(cut - 1))) cut--;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    if (complete) {
      lines.push(rest);
      return '';
    }
    return rest;
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
