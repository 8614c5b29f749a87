import { CrossStreamPairs } from './cross-stream-pairs.ts';
import { MaskedText } from './masked-text.ts';
import type { PatternSet } from './pattern-set.ts';
import { StreamScan } from './stream-scan.ts';

/** Several streams (stdout, stderr) masked together: out come the released parts, by stream. */
export interface InterleavedMasker<T> {
  push(tag: T, text: string): [T, string][];
  end(): [T, string][];
}

interface StreamState {
  scan: StreamScan;
  text: MaskedText;
  /** offset before which the stream's own scan has decided everything */
  decided: number;
}

/**
 * Each stream is scanned on its own (StreamScan: every form, split over lines or chunks), and
 * the halves of values split between the streams are paired (CrossStreamPairs). A stream's text
 * is released once both have decided it.
 */
export class Interleaved<T> implements InterleavedMasker<T> {
  private readonly patterns: PatternSet;
  private readonly streams = new Map<T, StreamState>();
  private readonly pairs: CrossStreamPairs<T>;
  private readonly pieces: number[] = [];
  private readonly found = (tag: T, start: number, end: number): void => this.state(tag).text.mask([start, end]);

  constructor(patterns: PatternSet, forms: readonly string[]) {
    this.patterns = patterns;
    this.pairs = new CrossStreamPairs<T>(forms);
  }

  push(tag: T, text: string): [T, string][] {
    if (text === '') return [];
    const s = this.state(tag);
    s.text.append(text);
    s.decided = s.scan.push(text, this.pieces);
    s.text.mask(this.pieces);
    this.pieces.length = 0;
    this.pairs.push(tag, text, this.found);
    // what another stream held for a half of a value is released before this stream's text
    return this.release([...[...this.streams.keys()].filter((t) => t !== tag), tag]);
  }

  end(): [T, string][] {
    for (const s of this.streams.values()) {
      s.decided = s.scan.end(this.pieces);
      s.text.mask(this.pieces);
      this.pieces.length = 0;
    }
    this.pairs.finish();
    return this.release([...this.streams.keys()]);
  }

  private release(tags: T[]): [T, string][] {
    const out: [T, string][] = [];
    for (const tag of tags) {
      const s = this.state(tag);
      const own = { decided: s.decided, masked: (start: number, end: number) => s.text.masked(start, end) };
      const text = s.text.release(Math.min(s.decided, this.pairs.holdFrom(tag, own)));
      if (text !== '') out.push([tag, text]);
    }
    return out;
  }

  private state(tag: T): StreamState {
    let s = this.streams.get(tag);
    if (s === undefined) {
      s = { scan: new StreamScan(this.patterns), text: new MaskedText(), decided: 0 };
      this.streams.set(tag, s);
    }
    return s;
  }
}
