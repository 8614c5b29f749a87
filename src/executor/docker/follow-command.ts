import type { ChunkSink } from '../executor.ts';
import { demux } from './demux.ts';

export interface FollowDeps {
  /** kills every process of the command's container; never throws */
  kill: () => Promise<void>;
  /** the error to throw for anything else that went wrong (an ExecutorError passes unchanged) */
  describe: (err: unknown) => Error;
}

/**
 * Follows one command of a container to its end: opens its multiplexed output, hands it to `sink`
 * one piece at a time (the socket is not read while the sink's promise is pending: backpressure),
 * then `finish` gives the result (the exit code, the outputs). What `exec` and one-shot containers
 * share (see DockerExecutor):
 * - an abort kills the container and rejects with the signal's reason once the kill is done;
 * - a sink that throws: nobody reads the output any more, so the container is killed too, and the
 *   sink's own error is rethrown;
 * - anything else is thrown as `describe` says.
 */
export async function followCommand<T>(
  open: () => Promise<AsyncIterable<Buffer>>,
  sink: ChunkSink,
  signal: AbortSignal,
  deps: FollowDeps,
  finish: () => Promise<T>,
): Promise<T> {
  let killed: Promise<void> | undefined;
  const onAbort = (): void => {
    killed = deps.kill();
  };
  // an abort while the command was being set up fired no listener: kill now, or a quiet command runs on
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  let sinkFailed = false;
  try {
    for await (const [stream, chunk] of demux(await open())) {
      if (signal.aborted) break;
      sinkFailed = true;
      await sink(stream, chunk);
      sinkFailed = false;
    }
    if (signal.aborted) throw signal.reason;
    return await finish();
  } catch (err) {
    if (signal.aborted) {
      await killed;
      throw signal.reason;
    }
    if (sinkFailed) {
      await deps.kill();
      throw err;
    }
    throw deps.describe(err);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
