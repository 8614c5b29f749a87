import type { Db, Filter } from 'mongodb';
import type { LogLineEvent } from '../../executor/events.ts';
import { InvalidInputError, type LogQuery, type LogStore, type StoredLogLine } from '../store.ts';
import { decodeLogCursor, encodeLogCursor, toChunks, type ChunkDraft, type ChunkLimits } from './log-chunks.ts';
import { isDuplicateKey } from './mongo-errors.ts';

/** A stored chunk: the draft plus `tick`, its place in the run's arrival order (unique per run). */
export interface LogChunkDoc extends ChunkDraft {
  tick: number;
}

interface RunWriter {
  tail: Promise<void>;
  pending: number;
  /** next tick to use; undefined → read the run's highest tick first */
  next: number | undefined;
}

const MAX_TICK_RETRIES = 20;

/**
 * LogStore on the `logs` collection, one document per chunk (see log-chunks.ts).
 * Order: each run's appends are written one after another by this instance, each chunk taking the
 * next `tick`, so a follower reading "after tick T" never misses a chunk committed later with a
 * smaller tick. A second process writing the same run (a worker that lost its lease) collides on
 * the unique (runId, tick) index and re-reads the highest tick, so ticks stay dense and ordered.
 */
export class MongoLogStore implements LogStore {
  readonly #chunks;
  readonly #limits: ChunkLimits | undefined;
  readonly #writers = new Map<string, RunWriter>();

  constructor(db: Db, limits?: ChunkLimits) {
    this.#chunks = db.collection<LogChunkDoc>('logs');
    this.#limits = limits;
  }

  async append(lines: LogLineEvent[]): Promise<void> {
    const byRun = new Map<string, ChunkDraft[]>();
    for (const chunk of toChunks(lines, this.#limits)) {
      const list = byRun.get(chunk.runId);
      if (list) list.push(chunk);
      else byRun.set(chunk.runId, [chunk]);
    }
    await Promise.all([...byRun].map(([runId, chunks]) => this.#enqueue(runId, chunks)));
  }

  /** Waits for the appends in flight (for a clean shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.#writers.values()].map((writer) => writer.tail));
  }

  async read(runId: string, query: LogQuery): Promise<StoredLogLine[]> {
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    if (query.limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
      throw new InvalidInputError(`log limit must be a positive integer, got ${query.limit}`);
    }
    const filter: Filter<LogChunkDoc> = { runId };
    if (query.group !== undefined) filter.group = query.group;
    if (query.step !== undefined) filter.step = query.step;
    if (query.attempt !== undefined) filter.attempt = query.attempt;
    if (query.tail !== undefined) return this.#readTail(runId, filter, query.tail);
    const after = query.after === undefined ? undefined : decodeLogCursor(query.after);
    if (after) filter.tick = { $gte: after.tick };

    const out: StoredLogLine[] = [];
    // highest seq returned per stream key: drops lines a retried, differently split append stored twice
    const lastSeq = new Map<string, number>();
    const cursor = this.#chunks.find(filter).sort({ tick: 1 });
    try {
      for await (const chunk of cursor) {
        const key = JSON.stringify([chunk.group, chunk.step, chunk.attempt]);
        for (let index = 0; index < chunk.lines.length && out.length < limit; index++) {
          const line = chunk.lines[index];
          if (!line || (after && chunk.tick === after.tick && index <= after.index)) continue;
          if (line.seq <= (lastSeq.get(key) ?? -1)) continue;
          lastSeq.set(key, line.seq);
          out.push({
            type: 'log',
            runId,
            group: chunk.group,
            step: chunk.step,
            attempt: chunk.attempt,
            ...line,
            cursor: encodeLogCursor({ tick: chunk.tick, index }),
          });
        }
        if (out.length >= limit) break;
      }
    } finally {
      await cursor.close();
    }
    return out;
  }

  /** the last `count` lines: chunks newest first until enough lines, without reading the whole log */
  async #readTail(runId: string, filter: Filter<LogChunkDoc>, count: number): Promise<StoredLogLine[]> {
    if (!Number.isInteger(count) || count < 1) throw new InvalidInputError(`log tail must be a positive integer, got ${count}`);
    const chunks: LogChunkDoc[] = [];
    let lines = 0;
    const cursor = this.#chunks.find(filter).sort({ tick: -1 });
    try {
      for await (const chunk of cursor) {
        chunks.push(chunk);
        lines += chunk.lines.length;
        if (lines >= count) break;
      }
    } finally {
      await cursor.close();
    }
    const out: StoredLogLine[] = [];
    const lastSeq = new Map<string, number>();
    for (const chunk of chunks.reverse()) {
      const key = JSON.stringify([chunk.group, chunk.step, chunk.attempt]);
      chunk.lines.forEach((line, index) => {
        if (line.seq <= (lastSeq.get(key) ?? -1)) return;
        lastSeq.set(key, line.seq);
        out.push({ type: 'log', runId, group: chunk.group, step: chunk.step, attempt: chunk.attempt, ...line, cursor: encodeLogCursor({ tick: chunk.tick, index }) });
      });
    }
    return out.slice(-count);
  }

  async #enqueue(runId: string, chunks: ChunkDraft[]): Promise<void> {
    let writer = this.#writers.get(runId);
    if (!writer) {
      writer = { tail: Promise.resolve(), pending: 0, next: undefined };
      this.#writers.set(runId, writer);
    }
    const state = writer;
    state.pending++;
    const work = state.tail.then(async () => {
      for (const chunk of chunks) await this.#insert(state, chunk);
    });
    state.tail = work.catch(() => undefined);
    try {
      await work;
    } finally {
      state.pending--;
      if (state.pending === 0 && this.#writers.get(runId) === state) this.#writers.delete(runId);
    }
  }

  async #insert(state: RunWriter, chunk: ChunkDraft): Promise<void> {
    for (let round = 0; round < MAX_TICK_RETRIES; round++) {
      if (state.next === undefined) {
        const last = await this.#chunks.find({ runId: chunk.runId }, { projection: { tick: 1 } }).sort({ tick: -1 }).limit(1).next();
        state.next = last ? last.tick + 1 : 0;
      }
      try {
        await this.#chunks.insertOne({ ...chunk, tick: state.next });
        state.next++;
        return;
      } catch (error) {
        state.next = undefined;
        if (!isDuplicateKey(error)) throw error;
        const { runId, group, step, attempt, firstSeq } = chunk;
        // the same chunk is already stored (a retried append): nothing to do
        if ((await this.#chunks.countDocuments({ runId, group, step, attempt, firstSeq }, { limit: 1 })) > 0) return;
      }
    }
    throw new Error(`run ${chunk.runId}: could not store log lines after ${MAX_TICK_RETRIES} tick collisions`);
  }
}
