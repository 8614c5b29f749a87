import type Dockerode from 'dockerode';
import { ExecutorError } from '../executor.ts';
import { causeOf, engineError, isUnreachable, statusOf } from './engine-errors.ts';
import type { PullPolicy } from './options.ts';
import { followPull, PullProgress } from './pull-progress.ts';

/** Receives lines about a pull the caller waits for; must not throw. */
export type PullWatcher = (line: string) => void;

/** The least time between two progress lines of one pull: a line a second would flood a stored log. */
export const PULL_PROGRESS_EVERY_MS = 3000;

/**
 * Makes images available according to the pull policy.
 *
 * For `if-not-present` and `never`, an image once found is remembered for this instance's
 * lifetime, so starting a container costs no image inspect. That is safe because the caller
 * reports a "no such image" from container create through `forget`, then asks again.
 * Concurrent requests for one image share a single inspect/pull; an abort releases its caller at
 * once, while a shared pull continues for the others (with `always`, each pull is the caller's own
 * and is cancelled by its signal).
 *
 * Progress: a caller's `onPull` gets the lines of PullProgress for the pull it waits for; a caller
 * joining a shared pull under way first gets its latest line. Nothing is said when no pull happens.
 */
export class ImageSource {
  readonly #docker: Dockerode;
  readonly #policy: PullPolicy;
  readonly #where: string;
  readonly #log: (message: string) => void;
  readonly #present = new Map<string, Promise<void>>();
  /** who waits for each shared pull (if-not-present), and that pull's progress once it started */
  readonly #watching = new Map<string, { watchers: Set<PullWatcher>; progress?: PullProgress }>();
  readonly #everyMs: number;
  readonly #now: () => number;

  constructor(docker: Dockerode, policy: PullPolicy, where: string, log: (message: string) => void, progress: { everyMs?: number; now?: () => number } = {}) {
    this.#docker = docker;
    this.#policy = policy;
    this.#where = where;
    this.#log = log;
    this.#everyMs = progress.everyMs ?? PULL_PROGRESS_EVERY_MS;
    this.#now = progress.now ?? Date.now;
  }

  /** Resolves when `image` can be used for a container; throws ExecutorError('image') if it cannot. */
  ensure(image: string, signal: AbortSignal, onPull?: PullWatcher): Promise<void> {
    if (this.#policy === 'always') return this.#pull(image, signal, onPull === undefined ? [] : [onPull]);
    let pending = this.#present.get(image);
    if (pending === undefined) {
      const watching = { watchers: new Set<PullWatcher>() };
      this.#watching.set(image, watching);
      // Shared by every start that wants this image, so one caller's abort must not fail the
      // others: the lookup/pull runs to completion, and each caller stops waiting on its own abort.
      pending = this.#findOrPull(image, new AbortController().signal, watching);
      this.#present.set(image, pending);
      // A failure is not remembered: the next start asks again.
      pending.catch(() => this.#present.delete(image));
      const release = (): void => {
        if (this.#watching.get(image) === watching) this.#watching.delete(image);
      };
      pending.then(release, release);
    }
    const watching = this.#watching.get(image);
    if (onPull === undefined || watching === undefined) return untilAborted(pending, signal);
    watching.watchers.add(onPull);
    if (watching.progress !== undefined) this.#tell([onPull], watching.progress.latest);
    return untilAborted(pending, signal).finally(() => watching.watchers.delete(onPull));
  }

  /** The engine no longer has `image` (removed since it was found). */
  forget(image: string): void {
    this.#present.delete(image);
  }

  async #findOrPull(image: string, signal: AbortSignal, watching: { watchers: Set<PullWatcher>; progress?: PullProgress }): Promise<void> {
    try {
      await this.#docker.getImage(image).inspect();
      return;
    } catch (err) {
      if (statusOf(err) !== 404) throw engineError(`inspect image '${image}'`, err, this.#where);
    }
    if (this.#policy === 'never') {
      throw new ExecutorError(
        'image',
        `image '${image}' is not available: the engine has no such image and the pull policy is 'never'. ` +
          `Build or load it on this engine first (docker build / docker load / docker pull ${image}), or allow pulls (pull policy if-not-present).`,
      );
    }
    await this.#pull(image, signal, watching.watchers, (progress) => (watching.progress = progress));
  }

  /** `watchers` is read at each line, so callers joining a shared pull later hear the rest of it. */
  async #pull(image: string, signal: AbortSignal, watchers: Iterable<PullWatcher>, started?: (progress: PullProgress) => void): Promise<void> {
    this.#log(`pulling image '${image}'`);
    const progress = new PullProgress({ image, say: (line) => this.#tell(watchers, line), now: this.#now, everyMs: this.#everyMs });
    started?.(progress);
    try {
      const stream = (await this.#docker.pull(image, { abortSignal: signal })) as NodeJS.ReadableStream;
      // The engine reports most pull failures (unknown tag, auth, registry down) inside the stream.
      await followPull(this.#docker.modem, stream, progress);
      progress.done();
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (isUnreachable(err)) throw engineError(`pull image '${image}'`, err, this.#where);
      throw new ExecutorError(
        'image',
        `image '${image}' is not available: ${causeOf(err)}. ` +
          'Check the image name and tag, that the registry is reachable from the Docker engine, and that the engine is logged in to it (docker login) if it is private.',
        { cause: err },
      );
    }
  }

  #tell(watchers: Iterable<PullWatcher>, line: string): void {
    for (const watcher of watchers) {
      try {
        watcher(line);
      } catch (err) {
        // a progress line is a courtesy: its reader failing must not fail (or crash) the pull
        this.#log(`could not pass on pull progress: ${causeOf(err)}`);
      }
    }
  }
}

/** `work`, or the signal's reason as soon as it aborts (the work itself goes on). */
function untilAborted(work: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
