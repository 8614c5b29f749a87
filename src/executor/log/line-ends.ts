import { hash3 } from './pattern-set.ts';

/**
 * Which forms a line's end could be the beginning of, and which its start could be the rest of:
 * the two halves of a value printed half on stdout and half on stderr. Indexed by three
 * characters (the line's last three, or its first three) so ordinary lines cost two lookups.
 */

/** the line ends with form[0, k) */
export interface Split {
  form: string;
  k: number;
}

/** a value split after fewer characters leaves its tail to the stream's own scan (its tails) */
export const MIN_HEAD_PIECE = 3;

class ThreeCharIndex {
  private readonly filter = new Uint8Array(8192);
  private readonly map = new Map<string, Split[]>();

  add(key: string, split: Split): void {
    const h = hash3(key.charCodeAt(0), key.charCodeAt(1), key.charCodeAt(2));
    this.filter[h >>> 3] = (this.filter[h >>> 3] as number) | (1 << (h & 7));
    const list = this.map.get(key);
    if (list === undefined) this.map.set(key, [split]);
    else list.push(split);
  }

  get(text: string, at: number): Split[] | undefined {
    if (at < 0 || at + 3 > text.length) return undefined;
    const h = hash3(text.charCodeAt(at), text.charCodeAt(at + 1), text.charCodeAt(at + 2));
    if (((this.filter[h >>> 3] as number) & (1 << (h & 7))) === 0) return undefined;
    return this.map.get(text.slice(at, at + 3));
  }
}

export class LineEnds {
  /** the longest form: how much of a line's start and end is worth keeping */
  readonly maxLength: number;
  private readonly heads = new ThreeCharIndex();
  private readonly rests = new ThreeCharIndex();
  private readonly minRest: number;

  /** `minRest`: the shortest rest of a form a line start is reported for (restsAt) */
  constructor(forms: readonly string[], minRest: number) {
    this.minRest = minRest;
    this.maxLength = forms[0]?.length ?? 0;
    for (const form of forms) {
      for (let k = MIN_HEAD_PIECE; k < form.length; k++) this.heads.add(form.slice(k - 3, k), { form, k });
      for (let k = 1; form.length - k >= Math.max(3, minRest); k++) this.rests.add(form.slice(k, k + 3), { form, k });
    }
  }

  /** whether text[from, end), a line, ends with the beginning of a form or starts with the rest of one */
  mayPair(text: string, from: number, end: number): boolean {
    const heads = this.heads.get(text, end - 3);
    if (heads?.some((s) => end - s.k >= from && text.startsWith(s.form.slice(0, s.k), end - s.k))) return true;
    const rests = end - from >= 3 ? this.rests.get(text, from) : undefined;
    return rests?.some((s) => s.form.length - s.k >= this.minRest && text.startsWith(s.form.slice(s.k), from)) ?? false;
  }

  /** the splits whose first part `text` ends with (text: the end of a line) */
  headsAt(text: string): Split[] {
    const found = this.heads.get(text, text.length - 3);
    return found === undefined ? [] : found.filter((s) => text.endsWith(s.form.slice(0, s.k)));
  }

  /** the splits, with a rest of at least `minRest` characters, that `text` (a line's start) starts with */
  restsAt(text: string): Split[] {
    const found = this.rests.get(text, 0);
    return found === undefined ? [] : found.filter((s) => s.form.length - s.k >= this.minRest && text.startsWith(s.form.slice(s.k)));
  }
}
