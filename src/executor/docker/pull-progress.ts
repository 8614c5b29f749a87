/** One JSON event of the engine's pull stream (what `docker pull` draws its bars from). */
export interface PullEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

export interface PullProgressOptions {
  image: string;
  /** receives each line; called synchronously, so it must not throw */
  say: (line: string) => void;
  /** milliseconds, e.g. Date.now */
  now: () => number;
  /** the least time between two progress lines */
  everyMs: number;
}

interface Layer {
  downloaded: number;
  total: number;
  done: boolean;
}

/** Layer states after which its bytes are all downloaded (extraction follows). */
const DOWNLOADED = new Set(['Download complete', 'Verifying Checksum', 'Extracting', 'Pull complete']);
/** Layer states that need nothing more. */
const FINISHED = new Set(['Pull complete', 'Already exists']);

/**
 * Turns one image pull's events into lines a person reads, the same for a local run's terminal
 * and a server step's log: `pulling alpine:3.20` at once, `pulling alpine:3.20: 12.3 MB of 48.0 MB,
 * 1/3 layers` at most every `everyMs` (and only when the figures changed), `pulled alpine:3.20 in
 * 7.2s` at the end. A failed pull adds no line of its own: whoever needed the image says why, once.
 * Pure: time comes from `now`, lines go to `say`.
 */
export class PullProgress {
  readonly #options: PullProgressOptions;
  readonly #layers = new Map<string, Layer>();
  readonly #startedAt: number;
  #shownAt: number;
  #latest: string;

  constructor(options: PullProgressOptions) {
    this.#options = options;
    this.#startedAt = options.now();
    this.#shownAt = this.#startedAt;
    this.#latest = `pulling ${options.image}`;
    options.say(this.#latest);
  }

  /** The last line said: for someone who starts watching a pull already under way. */
  get latest(): string {
    return this.#latest;
  }

  event(event: PullEvent): void {
    if (event.error !== undefined || event.errorDetail !== undefined) return;
    if (event.id !== undefined && event.status !== undefined && isLayerStatus(event.status)) {
      const layer = this.#layers.get(event.id) ?? { downloaded: 0, total: 0, done: false };
      const detail = event.progressDetail;
      if (event.status === 'Downloading' && detail !== undefined) {
        if (detail.total !== undefined && detail.total > 0) layer.total = detail.total;
        if (detail.current !== undefined) layer.downloaded = detail.current;
      } else if (DOWNLOADED.has(event.status)) {
        layer.downloaded = layer.total;
      }
      if (FINISHED.has(event.status)) layer.done = true;
      this.#layers.set(event.id, layer);
    }
    const now = this.#options.now();
    if (now - this.#shownAt < this.#options.everyMs) return;
    const line = this.#progressLine();
    if (line === undefined || line === this.#latest) return;
    this.#shownAt = now;
    this.#say(line);
  }

  /** The pull succeeded. */
  done(): void {
    this.#say(`pulled ${this.#options.image} in ${formatSeconds(this.#options.now() - this.#startedAt)}`);
  }

  #say(line: string): void {
    this.#latest = line;
    this.#options.say(line);
  }

  #progressLine(): string | undefined {
    const layers = [...this.#layers.values()];
    if (layers.length === 0) return undefined;
    const finished = `${layers.filter((l) => l.done).length}/${layers.length} layers`;
    const total = layers.reduce((sum, l) => sum + l.total, 0);
    if (total === 0) return `pulling ${this.#options.image}: ${finished}`;
    const downloaded = layers.reduce((sum, l) => sum + Math.min(l.downloaded, l.total), 0);
    return `pulling ${this.#options.image}: ${megabytes(downloaded)} of ${megabytes(total)}, ${finished}`;
  }
}

/** Statuses that describe one layer (others, like `Digest: …` or `Status: …`, describe the image). */
function isLayerStatus(status: string): boolean {
  return ['Pulling fs layer', 'Waiting', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete', 'Already exists'].includes(status);
}

/** `12.3 MB`: decimal, as registries and `docker pull` count */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** `7.2s`, as the step status lines show durations */
export function formatSeconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

/** A pull's first event that reports a failure, as an Error (the engine reports most failures in the stream). */
export function pullFailure(events: readonly PullEvent[] | undefined): Error | undefined {
  const failed = events?.find((e) => e.error !== undefined || e.errorDetail !== undefined);
  return failed === undefined ? undefined : new Error(failed.errorDetail?.message ?? failed.error);
}

/** What following a pull stream needs of dockerode's modem. */
export interface ProgressModem {
  followProgress(stream: NodeJS.ReadableStream, onFinished: (err: Error | null, events: PullEvent[]) => void, onProgress: (event: PullEvent) => void): void;
}

/**
 * Reads a pull stream (from `docker.pull`) to its end, feeding each event to `progress`; resolves
 * when the image is there, rejects with the engine's reason when the pull failed midway.
 */
export function followPull(modem: ProgressModem, stream: NodeJS.ReadableStream, progress: Pick<PullProgress, 'event'>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    modem.followProgress(
      stream,
      (err, events) => {
        const failed = pullFailure(events);
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else if (failed) reject(failed);
        else resolve();
      },
      (event) => progress.event(event),
    );
  });
}
