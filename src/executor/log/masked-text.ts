/** what a masked value is replaced with */
export const MASK = '***';

/**
 * The text of one stream between what was released and what was received, with the masked
 * pieces found so far (from any scanner). Releasing renders each run of overlapping pieces as
 * one MASK (pieces that only touch stay separate: `hunter2hunter2` is two values, `******`);
 * a run is released whole, so the output does not depend on when releases happen.
 */
export class MaskedText {
  private text = '';
  /** absolute offset of text[0]: everything before it was released */
  private base = 0;
  private pieces: [number, number][] = [];

  get end(): number {
    return this.base + this.text.length;
  }

  append(chunk: string): void {
    this.text = this.text === '' ? chunk : this.text + chunk;
  }

  /** start/end pairs, absolute; a piece never starts before what was released */
  mask(pairs: readonly number[]): void {
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const start = Math.max(pairs[i] as number, this.base);
      const end = pairs[i + 1] as number;
      if (end > start) this.pieces.push([start, end]);
    }
  }

  /** whether every character of [start, end) is in a masked piece */
  masked(start: number, end: number): boolean {
    let covered = start;
    for (const [from, to] of mergeOverlapping(this.pieces)) {
      if (from > covered) break;
      covered = Math.max(covered, to);
    }
    return covered >= end;
  }

  /** Renders and drops the text before `upTo` (absolute), or before the masked run `upTo` falls in. */
  release(upTo: number): string {
    let stop = Math.min(upTo, this.end);
    if (stop <= this.base) return '';
    let out = '';
    let from = this.base;
    if (this.pieces.length > 0) {
      const runs = mergeOverlapping(this.pieces);
      let consumed = 0;
      for (const [start, end] of runs) {
        if (start >= stop) break;
        if (end > stop) {
          stop = start; // the run may still grow: released with its end
          break;
        }
        out += this.slice(from, start) + MASK;
        from = end;
        consumed++;
      }
      this.pieces = runs.slice(consumed);
    }
    out += this.slice(from, stop);
    this.text = stop - this.base === this.text.length ? '' : this.text.slice(stop - this.base);
    this.base = stop;
    return out;
  }

  private slice(from: number, to: number): string {
    return from === this.base && to === this.end ? this.text : this.text.slice(from - this.base, to - this.base);
  }
}

function mergeOverlapping(pieces: [number, number][]): [number, number][] {
  const sorted = [...pieces].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const runs: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = runs.at(-1);
    if (last !== undefined && start < last[1]) last[1] = Math.max(last[1], end);
    else runs.push([start, end]);
  }
  return runs;
}
