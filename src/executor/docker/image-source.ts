import type Dockerode from 'dockerode';
import { ExecutorError } from '../executor.ts';
import { causeOf, engineError, isUnreachable, statusOf } from './engine-errors.ts';
import type { PullPolicy } from './options.ts';

/**
 * Makes images available according to the pull policy.
 *
 * For `if-not-present` and `never`, an image once found is remembered for this instance's
 * lifetime, so starting a container costs no image inspect. That is safe because the caller
 * reports a "no such image" from container create through `forget`, then asks again.
 * Concurrent requests for one image share a single inspect/pull; an abort releases its caller at
 * once, while a shared pull continues for the others (with `always`, each pull is the caller's own
 * and is cancelled by its signal).
 */
export class ImageSource {
  readonly #docker: Dockerode;
  readonly #policy: PullPolicy;
  readonly #where: string;
  readonly #log: (message: string) => void;
  readonly #present = new Map<string, Promise<void>>();

  constructor(docker: Dockerode, policy: PullPolicy, where: string, log: (message: string) => void) {
    this.#docker = docker;
    this.#policy = policy;
    this.#where = where;
    this.#log = log;
  }

  /** Resolves when `image` can be used for a container; throws ExecutorError('image') if it cannot. */
  ensure(image: string, signal: AbortSignal): Promise<void> {
    if (this.#policy === 'always') return this.#pull(image, signal);
    let pending = this.#present.get(image);
    if (pending === undefined) {
      // Shared by every start that wants this image, so one caller's abort must not fail the
      // others: the lookup/pull runs to completion, and each caller stops waiting on its own abort.
      pending = this.#findOrPull(image, new AbortController().signal);
      this.#present.set(image, pending);
      // A failure is not remembered: the next start asks again.
      pending.catch(() => this.#present.delete(image));
    }
    return untilAborted(pending, signal);
  }

  /** The engine no longer has `image` (removed since it was found). */
  forget(image: string): void {
    this.#present.delete(image);
  }

  async #findOrPull(image: string, signal: AbortSignal): Promise<void> {
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
    await this.#pull(image, signal);
  }

  async #pull(image: string, signal: AbortSignal): Promise<void> {
    this.#log(`pulling image '${image}'`);
    try {
      const progress = (await this.#docker.pull(image, { abortSignal: signal })) as NodeJS.ReadableStream;
      // The engine reports most pull failures (unknown tag, auth, registry down) inside the stream.
      await new Promise<void>((resolve, reject) => {
        this.#docker.modem.followProgress(progress, (err: unknown, events: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
          const failed = events?.find((e) => e.error !== undefined || e.errorDetail !== undefined);
          if (err) reject(err instanceof Error ? err : new Error(String(err)));
          else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
          else resolve();
        });
      });
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
