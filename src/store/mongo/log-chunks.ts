import type { LogLineEvent } from '../../executor/events.ts';
import { InvalidInputError } from '../store.ts';

/**
 * Pure parts of log storage. Lines are stored in chunks: one document holds up to `maxLines`
 * consecutive lines (by seq) of one (run, group, step, attempt), at most `maxBytes` of text, so a
 * 10,000-line step is ~20 documents rather than 10,000 (smaller indexes, far fewer inserts).
 */
export interface LogLineDoc {
  seq: number;
  stream: LogLineEvent['stream'];
  line: string;
  at: Date;
}

export interface ChunkDraft {
  runId: string;
  group: string;
  step: number;
  attempt: number;
  firstSeq: number;
  lastSeq: number;
  /** UTF-8 bytes of the lines' text */
  bytes: number;
  lines: LogLineDoc[];
}

export interface ChunkLimits {
  maxLines: number;
  maxBytes: number;
}

export const DEFAULT_CHUNK_LIMITS: ChunkLimits = { maxLines: 500, maxBytes: 256 * 1024 };

/**
 * Splits one append into chunks: lines grouped by stream key (first-seen order), sorted by seq,
 * cut at the limits. A single line larger than maxBytes gets a chunk of its own.
 * Deterministic: the same batch always gives the same chunks, so a retried append is recognised.
 */
export function toChunks(lines: readonly LogLineEvent[], limits: ChunkLimits = DEFAULT_CHUNK_LIMITS): ChunkDraft[] {
  const byKey = new Map<string, LogLineEvent[]>();
  for (const line of lines) {
    const key = JSON.stringify([line.runId, line.group, line.step, line.attempt]);
    const list = byKey.get(key);
    if (list) list.push(line);
    else byKey.set(key, [line]);
  }
  const chunks: ChunkDraft[] = [];
  for (const list of byKey.values()) {
    let current: ChunkDraft | undefined;
    for (const line of [...list].sort((a, b) => a.seq - b.seq)) {
      const bytes = Buffer.byteLength(line.line, 'utf8');
      if (!current || current.lines.length >= limits.maxLines || (current.bytes + bytes > limits.maxBytes && current.lines.length > 0)) {
        current = { runId: line.runId, group: line.group, step: line.step, attempt: line.attempt, firstSeq: line.seq, lastSeq: line.seq, bytes: 0, lines: [] };
        chunks.push(current);
      }
      current.lines.push({ seq: line.seq, stream: line.stream, line: line.line, at: line.at });
      current.lastSeq = line.seq;
      current.bytes += bytes;
    }
  }
  return chunks;
}

/**
 * A line's position in its run: the chunk's run-wide `tick` and the line's index in the chunk.
 * Fixed-width digits, so cursors also compare correctly as plain strings.
 */
export interface LogPosition {
  tick: number;
  index: number;
}

export function encodeLogCursor(position: LogPosition): string {
  return `${String(position.tick).padStart(10, '0')}-${String(position.index).padStart(5, '0')}`;
}

export function decodeLogCursor(cursor: string): LogPosition {
  const match = /^(\d{10})-(\d{5})$/.exec(cursor);
  if (!match?.[1] || !match[2]) {
    throw new InvalidInputError(`log cursor "${cursor}" is not valid: pass the cursor of the last line you received`);
  }
  return { tick: Number(match[1]), index: Number(match[2]) };
}
