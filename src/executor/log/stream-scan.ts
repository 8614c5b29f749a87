import { type PatternSet, UNDECIDED } from './pattern-set.ts';

/**
 * Finds every match in one text stream, fed in chunks: at each position the longest form that
 * matches there (matches may overlap; the renderer merges them). Holds back only the text from
 * the first position that could still start a match once more text arrives, so the matches
 * found do not depend on how the stream was chunked and memory stays within one match's span.
 */
export class StreamScan {
  private readonly patterns: PatternSet;
  /** the text from `base` (absolute offset in the stream) on, not yet scanned to a decision */
  private text = '';
  private base = 0;

  constructor(patterns: PatternSet) {
    this.patterns = patterns;
  }

  /**
   * Scans `chunk` appended to the stream; appends the masked pieces of new matches to `pieces`
   * (absolute start/end pairs) and returns the offset before which every position is decided.
   */
  push(chunk: string, pieces: number[]): number {
    const held = this.text;
    if (held === '') return this.scan(chunk, false, pieces);
    // a held position is decided by the `span` characters after it: those are joined to the held
    // text, and the chunk itself is scanned as it is (not copied into one string with the tail)
    const span = this.patterns.maxSpan;
    const long = chunk.length > span;
    const joined = held + (long ? chunk.slice(0, span) : chunk);
    const p = this.firstUndecided(joined, held.length, false, pieces);
    if (p < held.length) {
      this.text = long ? joined.slice(p) + chunk.slice(span) : joined.slice(p);
      this.base += p;
      return this.base;
    }
    this.text = '';
    this.base += held.length;
    return this.scan(chunk, false, pieces);
  }

  /** the stream ended: decides the rest; returns the stream's length */
  end(pieces: number[]): number {
    return this.scan(this.text, true, pieces);
  }

  /** Scans `text`, the stream from `base` on; keeps the undecided rest. */
  private scan(text: string, final: boolean, pieces: number[]): number {
    const p = this.firstUndecided(text, text.length, final, pieces);
    this.text = p >= text.length ? '' : text.slice(p);
    this.base += p;
    return this.base;
  }

  /** Reports the matches at positions before `to` until one is undecided; returns that one, or `to`. */
  private firstUndecided(text: string, to: number, final: boolean, pieces: number[]): number {
    const patterns = this.patterns;
    for (let p = 0; ; p++) {
      p = patterns.candidate(text, p);
      if (p >= to) return to;
      if (patterns.matchAt(text, p, final, pieces, this.base) === UNDECIDED) return p;
    }
  }
}
