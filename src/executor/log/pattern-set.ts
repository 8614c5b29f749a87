import { MIN_FRAGMENT_LENGTH } from './secret-forms.ts';

/**
 * The strings the scanners look for, and how one is matched at a position of a text.
 *
 * Line breaks: a value printed over two or three lines (`base64` wrapping at 76 columns,
 * `echo ${T:0:8}; echo ${T:8}`) still matches: a `\n` or `\r\n` in the text is skipped between
 * two characters of a form, at most MAX_LINE_BREAKS times per match plus once per
 * CHARS_PER_EXTRA_BREAK characters of the form (so a long value wrapped at 64 or 76 columns is
 * still matched). The skipped line breaks are kept in the output; the pieces between them are masked.
 * A line break is skipped only after the first MIN_FIRST_PIECE characters: otherwise any line
 * ending in the first letter of some form would be held back until the next line arrived.
 * A value split after its first one or two characters is caught by its tail instead: each form
 * without its first one or two characters is matched too (from MIN_FRAGMENT_LENGTH characters on).
 */

export const MAX_LINE_BREAKS = 2;
export const CHARS_PER_EXTRA_BREAK = 64;
/** at least 3: the scanners' filter relies on the first three characters of a match being contiguous */
export const MIN_FIRST_PIECE = 3;

/** matchAt: no match starts here */
export const NONE = -1;
/** matchAt: a match may start here; the text ends before it can be told */
export const UNDECIDED = -2;

const LF = 10;
const CR = 13;
const HASH_BITS = 16;

/** Hash of three characters: the first three of every match are contiguous in the text. */
export const hash3 = (a: number, b: number, c: number): number => Math.imul(a * 961 + b * 31 + c, 0x9e3779b1) >>> (32 - HASH_BITS);

export class PatternSet {
  /** longest first */
  readonly patterns: readonly string[];
  /** the longest text a match (or a match in the making) can cover */
  readonly maxSpan: number;
  private readonly maxBreaks: Int32Array;
  /** one bit per hash3 value: does some pattern start with characters of that hash? */
  private readonly filter = new Uint8Array((1 << HASH_BITS) >>> 3);
  private readonly buckets = new Map<number, number[]>();
  /**
   * How far a window of three characters may move on, by its last two: 0 when they are the
   * second and third characters of some pattern, 1 when they are its first two, else 2.
   */
  private readonly shift = new Uint8Array(1 << 16).fill(2);
  private readonly first1 = new Set<number>();
  private readonly first2 = new Set<number>();
  /** scratch for matchAt: positions of the line breaks skipped by the match being tried */
  private readonly breaks: number[] = [];

  /** `forms` of at least 3 characters each (secretForms guarantees it) */
  constructor(forms: readonly string[]) {
    const all = new Set(forms);
    for (const form of forms) {
      for (let drop = 1; drop < MIN_FIRST_PIECE && form.length - drop >= MIN_FRAGMENT_LENGTH; drop++) all.add(form.slice(drop));
    }
    this.patterns = [...all].filter((p) => p.length >= 3).sort((a, b) => b.length - a.length);
    this.maxBreaks = Int32Array.from(this.patterns, (p) => MAX_LINE_BREAKS + Math.floor(p.length / CHARS_PER_EXTRA_BREAK));
    let maxSpan = 0;
    this.patterns.forEach((p, i) => {
      maxSpan = Math.max(maxSpan, p.length + 2 * (this.maxBreaks[i] ?? 0));
      const h = hash3(p.charCodeAt(0), p.charCodeAt(1), p.charCodeAt(2));
      this.filter[h >>> 3] = (this.filter[h >>> 3] ?? 0) | (1 << (h & 7));
      const bucket = this.buckets.get(h);
      if (bucket === undefined) this.buckets.set(h, [i]);
      else bucket.push(i); // stays longest first
      const pair = (a: number, b: number): number => ((p.charCodeAt(a) << 8) ^ p.charCodeAt(b)) & 0xffff;
      this.shift[pair(1, 2)] = 0;
      this.shift[pair(0, 1)] = Math.min(this.shift[pair(0, 1)] as number, 1);
      this.first1.add(p.charCodeAt(0));
      this.first2.add(p.charCodeAt(0) * 65536 + p.charCodeAt(1));
    });
    this.maxSpan = maxSpan;
  }

  /**
   * The longest match starting at `p` in `text`: its end, with the masked pieces appended to
   * `pieces` as start/end pairs (offset by `base`); NONE; or UNDECIDED when more text could
   * still make a (longer) match. With `final`, the text is complete and nothing is UNDECIDED.
   */
  matchAt(text: string, p: number, final: boolean, pieces: number[], base = 0): number {
    const len = text.length;
    if (p + 2 >= len) {
      if (final || p >= len) return NONE;
      const c0 = text.charCodeAt(p);
      return (p + 1 === len ? this.first1.has(c0) : this.first2.has(c0 * 65536 + text.charCodeAt(p + 1))) ? UNDECIDED : NONE;
    }
    const h = hash3(text.charCodeAt(p), text.charCodeAt(p + 1), text.charCodeAt(p + 2));
    if (((this.filter[h >>> 3] ?? 0) & (1 << (h & 7))) === 0) return NONE;
    for (const i of this.buckets.get(h) ?? []) {
      const end = this.verify(text, p, i, final);
      if (end === UNDECIDED) return UNDECIDED; // a longer pattern may still match
      if (end === NONE) continue;
      let from = p;
      for (let b = 0; b < this.breaks.length; b += 2) {
        const at = this.breaks[b] as number;
        if (at > from) pieces.push(base + from, base + at);
        from = this.breaks[b + 1] as number;
      }
      pieces.push(base + from, base + end);
      return end;
    }
    return NONE;
  }

  /**
   * The first position from `from` on where a match may start (the first three characters pass
   * the filter, or fewer than three are left), or one at or after `to`. The scanners' hot loop:
   * a Wu-Manber step over the window's last two characters skips up to two positions at a time.
   */
  candidate(text: string, from: number, to = text.length): number {
    const last = Math.min(text.length - 2, to);
    let p = from;
    while (p < last) {
      const b = text.charCodeAt(p + 1);
      const c = text.charCodeAt(p + 2);
      const shift = this.shift[((b << 8) ^ c) & 0xffff] as number;
      if (shift === 0) {
        const h = hash3(text.charCodeAt(p), b, c);
        if (((this.filter[h >>> 3] as number) & (1 << (h & 7))) !== 0) return p;
        p++;
      } else {
        p += shift;
      }
    }
    return Math.min(p, text.length);
  }

  /** whether any text at all can be masked */
  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** Matches pattern `i` at `p`, skipping line breaks as the rules above allow; fills `breaks`. */
  private verify(text: string, p: number, i: number, final: boolean): number {
    const pattern = this.patterns[i] as string;
    const maxBreaks = this.maxBreaks[i] as number;
    const len = text.length;
    const breaks = this.breaks;
    breaks.length = 0;
    let j = p;
    let k = 0;
    while (k < pattern.length) {
      if (j >= len) return final ? NONE : UNDECIDED;
      const t = text.charCodeAt(j);
      if (t === pattern.charCodeAt(k)) {
        j++;
        k++;
        continue;
      }
      if (k < MIN_FIRST_PIECE || breaks.length >= 2 * maxBreaks) return NONE;
      if (t === LF) {
        breaks.push(j, j + 1);
        j++;
      } else if (t === CR) {
        if (j + 1 >= len) return final ? NONE : UNDECIDED;
        if (text.charCodeAt(j + 1) !== LF) return NONE;
        breaks.push(j, j + 2);
        j += 2;
      } else {
        return NONE;
      }
    }
    return j;
  }
}
