import { LineEnds, type Split } from './line-ends.ts';

/**
 * Values printed half on one stream and half on the other (`printf %s "${T:0:6}"; printf '%s\n'
 * "${T:6}" >&2`). Docker does not keep the order of writes across stdout and stderr: the second
 * half may arrive before the first, or after more lines of the first stream. So the halves are
 * paired by position, not by arrival: the end of a recent line (or of the line being received)
 * of one stream and the start of a recent line of the other that together make a form.
 *
 * To mask both halves whichever arrives first, a line whose end is the beginning of a form, or
 * whose start is the rest of one (MIN_HELD_PIECE characters or more, not already masked by its
 * stream's own scan), is held back until the other stream prints again, WINDOW more characters
 * of its own stream arrive, or the streams end. Ordinary lines are not held.
 */

/** what a stream's own scan knows */
export interface OwnScan {
  /** the offset before which the own scan has decided everything */
  readonly decided: number;
  /** whether all of [start, end) is masked already */
  masked(start: number, end: number): boolean;
}

export const MIN_HELD_PIECE = 4;
/** how much of its own output a held line waits for the other stream; also how far back halves are paired */
export const WINDOW = 16 * 1024;
const RECENT_LINES = 64;

interface Line {
  start: number;
  end: number;
  /** the first and the last `maxLength` characters */
  head: string;
  tail: string;
  /** the forms whose beginning the line ends with */
  heads: Split[];
  /** whether its start was checked for being a held second half */
  restChecked: boolean;
}

interface Suspect {
  lineStart: number;
  pieceStart: number;
  pieceEnd: number;
  /** the other streams' length when it was held: once they print more, it was paired or never will be */
  others: number;
  /** held no longer once its own stream reaches this length */
  until: number;
  checked: boolean;
}

interface StreamLines {
  length: number;
  /** the line being received */
  current: Line;
  /** recent complete lines, oldest first */
  recent: Line[];
  /** those of them that end with the beginning of a form */
  headed: Line[];
  suspects: Suspect[];
}

type Found<T> = (tag: T, start: number, end: number) => void;

const newLine = (at: number): Line => ({ start: at, end: at, head: '', tail: '', heads: [], restChecked: false });

export class CrossStreamPairs<T> {
  private readonly ends: LineEnds;
  private readonly streams = new Map<T, StreamLines>();
  private finished = false;

  constructor(forms: readonly string[]) {
    this.ends = new LineEnds(forms, MIN_HELD_PIECE);
  }

  /** Appends `text` to stream `tag`; reports the halves found (in stream offsets) to `found`. */
  push(tag: T, text: string, found: Found<T>): void {
    if (text === '') return;
    const s = this.state(tag);
    // a line that cannot be half of a value needs no record, unless it is one of the recent ones
    // or another stream has a line ending with the beginning of a form
    let keepFrom = text.length;
    for (let i = 0; i <= RECENT_LINES && keepFrom > 0; i++) keepFrom = text.lastIndexOf('\n', keepFrom - 1);
    const pairable = [...this.streams].some(([t, o]) => t !== tag && (o.headed.length > 0 || o.current.heads.length > 0));
    for (const line of this.feed(s, text, pairable ? 0 : Math.max(keepFrom, 0))) {
      if (!this.pair(tag, line, found)) this.suspect(tag, s, line, true);
    }
    const current = s.current;
    if (current.end > current.start) {
      current.heads = this.ends.headsAt(current.tail);
      this.pair(tag, current, found);
      if (current.end - current.start >= this.ends.maxLength) this.suspect(tag, s, current, false);
    }
    this.settle();
  }

  /** the streams ended: nothing is held any more */
  finish(): void {
    this.finished = true;
  }

  /** The first offset of stream `tag` to hold back; drops held lines the own scan has masked since. */
  holdFrom(tag: T, own: OwnScan): number {
    const s = this.streams.get(tag);
    if (s === undefined || this.finished) return Infinity;
    s.suspects = s.suspects.filter((x) => {
      if (x.checked || own.decided < x.pieceEnd) return true;
      x.checked = true;
      return !own.masked(x.pieceStart, x.pieceEnd);
    });
    let hold = s.suspects[0]?.lineStart ?? Infinity;
    // the line being received may still turn out to start with a second half
    if (this.open(s.current)) hold = Math.min(hold, s.current.start);
    return hold;
  }

  /** a line being received whose start is not settled yet (held: the line is not complete anyway) */
  private open(line: Line): boolean {
    return line.end > line.start && line.end - line.start < this.ends.maxLength;
  }

  /** Splits `text` into the lines it completes; keeps the head and tail of the line being received. */
  private feed(s: StreamLines, text: string, skipBefore: number): Line[] {
    const max = this.ends.maxLength;
    const done: Line[] = [];
    for (let from = 0; ; ) {
      const nl = text.indexOf('\n', from);
      const to = nl === -1 ? text.length : nl;
      const c = s.current;
      if (c.end === c.start && nl !== -1 && nl < skipBefore) {
        const end = to > from && text.charCodeAt(to - 1) === 13 ? to - 1 : to;
        if (!this.ends.mayPair(text, from, end)) {
          s.length += nl + 1 - from;
          c.start = c.end = s.length;
          from = nl + 1;
          continue;
        }
      }
      if (c.end === c.start) {
        c.head = text.slice(from, Math.min(to, from + max));
        c.tail = text.slice(Math.max(from, to - max), to);
      } else {
        if (c.head.length < max) c.head += text.slice(from, Math.min(to, from + max - c.head.length));
        c.tail = to - from >= max ? text.slice(to - max, to) : (c.tail + text.slice(from, to)).slice(-max);
      }
      c.end += to - from;
      s.length += to - from;
      if (nl === -1) return done;
      if (c.tail.endsWith('\r')) {
        c.end--;
        c.tail = c.tail.slice(0, -1);
        c.head = c.head.slice(0, c.end - c.start);
      }
      c.heads = this.ends.headsAt(c.tail);
      done.push(c);
      s.recent.push(c);
      if (c.heads.length > 0) s.headed.push(c);
      s.length++;
      s.current = newLine(s.length);
      from = nl + 1;
    }
  }

  /** Pairs `line` of stream `tag` both ways with the lines of the other streams; reports the halves. */
  private pair(tag: T, line: Line, found: Found<T>): boolean {
    if (line.end === line.start) return false;
    let paired = false;
    for (const [other, o] of this.streams) {
      if (other === tag) continue;
      if (line.heads.length > 0) {
        for (const theirs of o.recent) paired = this.match(line, tag, theirs, other, found) || paired;
        paired = this.match(line, tag, o.current, other, found) || paired;
      }
      for (const theirs of o.headed) paired = this.match(theirs, other, line, tag, found) || paired;
      paired = this.match(o.current, other, line, tag, found) || paired;
    }
    return paired;
  }

  /** Reports the halves when `first` ends with the beginning of a form that `second` starts with the rest of. */
  private match(first: Line, firstTag: T, second: Line, secondTag: T, found: Found<T>): boolean {
    if (second.end === second.start) return false;
    let paired = false;
    for (const { form, k } of first.heads) {
      if (!second.head.startsWith(form.slice(k))) continue;
      found(firstTag, first.end - k, first.end);
      found(secondTag, second.start, second.start + form.length - k);
      paired = true;
    }
    return paired;
  }

  /** Holds `line` back when its end may be a first half, or its start a second half, of a value. */
  private suspect(tag: T, s: StreamLines, line: Line, complete: boolean): void {
    const head = complete ? line.heads.find((x) => x.k >= MIN_HELD_PIECE) : undefined;
    if (head !== undefined) this.hold(tag, s, line, line.end - head.k, line.end);
    if (line.restChecked) return;
    line.restChecked = true;
    const rest = this.ends.restsAt(line.head)[0];
    if (rest !== undefined) this.hold(tag, s, line, line.start, line.start + rest.form.length - rest.k);
  }

  private hold(tag: T, s: StreamLines, line: Line, pieceStart: number, pieceEnd: number): void {
    s.suspects.push({ lineStart: line.start, pieceStart, pieceEnd, others: this.othersLength(tag), until: line.end + WINDOW, checked: false });
  }

  /** Lets go of held lines whose other half can no longer come; forgets lines too old to pair. */
  private settle(): void {
    for (const [tag, s] of this.streams) {
      const others = this.othersLength(tag);
      // a line the other stream is receiving may still complete a pair
      const othersOpen = [...this.streams].some(([t, o]) => t !== tag && this.open(o.current));
      s.suspects = s.suspects
        .filter((x) => (x.others === others || othersOpen) && s.length < x.until)
        .sort((a, b) => a.lineStart - b.lineStart);
      if (s.recent.length > RECENT_LINES || (s.recent[0]?.end ?? Infinity) < s.length - WINDOW) {
        s.recent = s.recent.slice(-RECENT_LINES).filter((line) => line.end >= s.length - WINDOW);
        const oldest = s.recent[0]?.start ?? s.length;
        s.headed = s.headed.filter((line) => line.start >= oldest);
      }
    }
  }

  private othersLength(tag: T): number {
    let n = 0;
    for (const [other, s] of this.streams) if (other !== tag) n += s.length;
    return n;
  }

  private state(tag: T): StreamLines {
    let s = this.streams.get(tag);
    if (s === undefined) {
      s = { length: 0, current: newLine(0), recent: [], headed: [], suspects: [] };
      this.streams.set(tag, s);
    }
    return s;
  }
}
