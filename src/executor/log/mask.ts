import { Interleaved, type InterleavedMasker } from './interleaved-masker.ts';
import { MASK, MaskedText } from './masked-text.ts';
import { PatternSet } from './pattern-set.ts';
import { MIN_SECRET_LENGTH, secretForms } from './secret-forms.ts';
import { StreamScan } from './stream-scan.ts';

/**
 * Secret masking on character streams, before they are split into lines and stored.
 *
 * Rules (the spec is silent; these are ours):
 * - Every occurrence of every form of every value (secret-forms.ts: plain, case, hex, URL,
 *   JSON, base64) is replaced by `***`; overlapping occurrences become one `***`.
 * - Values shorter than MIN_SECRET_LENGTH characters are not masked: masking `a` or `1` would
 *   destroy the log while hiding almost nothing. Callers reject such secrets up front.
 * - A value split over up to MAX_LINE_BREAKS line breaks (pattern-set.ts) is masked piece by
 *   piece and keeps its line breaks, so the log keeps its lines.
 * - Streaming holds back only a tail that could still grow into a match, so masking a stream in
 *   any chunking gives exactly `maskText` of the whole text; a line is held back only when it
 *   ends in the first characters (at least three) of a form.
 * - interleaved(): stdout and stderr are each masked on their own, and a value printed half on
 *   one and half on the other is masked on both (cross-stream-pairs.ts).
 */

export { MASK, MIN_SECRET_LENGTH };

export interface StreamMasker {
  /** masks `text` appended to the stream; returns the part that can be released now */
  push(text: string): string;
  /** the stream ended: releases (masked) whatever was held back */
  end(): string;
}

export type { InterleavedMasker };

export interface Masker {
  /** the forms masked, deduplicated, longest first */
  readonly values: readonly string[];
  maskText(text: string): string;
  stream(): StreamMasker;
  interleaved<T>(): InterleavedMasker<T>;
}

/** The forms masked for the given secrets, following the rules above. */
export function secretValuesToMask(secrets: Iterable<string>): string[] {
  return secretForms(secrets);
}

export function createMasker(secrets: Iterable<string>): Masker {
  const values = secretForms(secrets);
  const patterns = new PatternSet(values);
  const masker: Masker = {
    values,
    maskText(text) {
      if (patterns.empty || text === '') return text;
      const s = masker.stream();
      return s.push(text) + s.end();
    },
    stream() {
      return patterns.empty ? { push: (text) => text, end: () => '' } : singleStream(patterns);
    },
    interleaved<T>() {
      return patterns.empty ? passThrough<T>() : new Interleaved<T>(patterns, values);
    },
  };
  return masker;
}

function singleStream(patterns: PatternSet): StreamMasker {
  const scan = new StreamScan(patterns);
  const text = new MaskedText();
  const pieces: number[] = [];
  const release = (decided: number): string => {
    text.mask(pieces);
    pieces.length = 0;
    return text.release(decided);
  };
  return {
    push(chunk) {
      text.append(chunk);
      return release(scan.push(chunk, pieces));
    },
    end: () => release(scan.end(pieces)),
  };
}

function passThrough<T>(): InterleavedMasker<T> {
  return { push: (tag, text) => (text === '' ? [] : [[tag, text]]), end: () => [] };
}
