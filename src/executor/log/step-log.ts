import { StringDecoder } from 'node:string_decoder';
import type { OutputStream } from '../executor.ts';
import type { EventSink, LogLineEvent } from '../events.ts';
import { LineSplitter } from './line-splitter.ts';
import type { InterleavedMasker, Masker } from './mask.ts';

/**
 * The log of one step attempt: raw stdout/stderr chunks in, masked and numbered LogLineEvents out.
 * Per stream: UTF-8 decoding (characters split across chunks survive) → masking → line splitting.
 * Masking sees both streams, so a value printed half on stdout and half on stderr is masked too;
 * a stream's text is held back only while it may be part of a secret (mask.ts).
 * Memory is bounded by the longest secret plus the line limit, however much the step prints.
 */

export interface StepLogOptions {
  runId: string;
  group: string;
  step: number;
  attempt: number;
  onEvent: EventSink;
  masker: Masker;
  /** bytes of line text (UTF-8, plus one per newline) kept; then one truncation line */
  capBytes: number;
  clock: () => Date;
  maxLineChars?: number;
}

export interface StepLog {
  /** feed to Executor.exec (a ChunkSink); resolves after the events for this chunk were delivered */
  readonly sink: (stream: OutputStream, chunk: Buffer) => Promise<void>;
  /** a line from Pistages itself (masked; not counted against the cap) */
  system(line: string): Promise<void>;
  /** flushes the last partial lines of both streams; call after the last exec of the step */
  close(): Promise<void>;
  /** whether output was dropped because of the cap */
  readonly truncated: boolean;
}

interface StreamState {
  decoder: StringDecoder;
  splitter: LineSplitter;
}

export function createStepLog(options: StepLogOptions): StepLog {
  const { masker, capBytes } = options;
  let seq = 0;
  let keptBytes = 0;
  let truncated = false;
  let closed = false;
  // stdout and stderr may be delivered concurrently; one chain keeps seq and event order intact
  let chain: Promise<void> = Promise.resolve();
  const streams = new Map<OutputStream, StreamState>();
  const masking: InterleavedMasker<OutputStream> = masker.interleaved();

  const serial = (work: () => Promise<void>): Promise<void> => {
    const next = chain.then(work);
    chain = next.catch(() => undefined);
    return next;
  };

  const emit = async (stream: LogLineEvent['stream'], line: string): Promise<void> => {
    await options.onEvent({
      type: 'log',
      runId: options.runId,
      group: options.group,
      step: options.step,
      attempt: options.attempt,
      seq: seq++,
      stream,
      line,
      at: options.clock(),
    });
  };

  const emitLines = async (stream: OutputStream, lines: string[]): Promise<void> => {
    for (const line of lines) {
      if (truncated) return;
      const bytes = Buffer.byteLength(line) + 1;
      if (keptBytes + bytes > capBytes) {
        truncated = true;
        streams.clear(); // nothing more is decoded or held
        await emit('system', `log truncated: ${formatBytes(capBytes)} limit reached; the rest of this step's output was dropped`);
        return;
      }
      keptBytes += bytes;
      await emit(stream, line);
    }
  };

  /** masked text, by stream, into each stream's lines */
  const emitReleased = async (parts: [OutputStream, string][]): Promise<void> => {
    for (const [stream, text] of parts) {
      const s = streams.get(stream);
      if (s !== undefined) await emitLines(stream, s.splitter.push(text));
    }
  };

  const state = (stream: OutputStream): StreamState => {
    let s = streams.get(stream);
    if (s === undefined) {
      s = { decoder: new StringDecoder('utf8'), splitter: new LineSplitter(options.maxLineChars) };
      streams.set(stream, s);
    }
    return s;
  };

  return {
    get truncated() {
      return truncated;
    },
    sink(stream, chunk) {
      // after the cap the stream is still drained (the executor keeps reading) but nothing is kept
      if (truncated || closed) return Promise.resolve();
      return serial(async () => {
        if (truncated) return;
        await emitReleased(masking.push(stream, state(stream).decoder.write(chunk)));
      });
    },
    system(line) {
      return serial(() => emit('system', masker.maskText(line)));
    },
    close() {
      closed = true;
      return serial(async () => {
        for (const [stream, s] of [...streams]) await emitReleased(masking.push(stream, s.decoder.end()));
        await emitReleased(masking.end());
        for (const [stream, s] of [...streams]) {
          if (truncated) return;
          await emitLines(stream, s.splitter.end());
        }
        streams.clear();
      });
    },
  };
}

/** `10 MB`, `64 KB`, `100 bytes`: binary units, as users set the limit */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [1024 * 1024 * 1024, 'GB'],
    [1024 * 1024, 'MB'],
    [1024, 'KB'],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} bytes`;
}
