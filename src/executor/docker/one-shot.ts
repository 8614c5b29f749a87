import type Dockerode from 'dockerode';
import { ExecutorError, type ChunkSink, type ContainerSpecRequest, type ExecResult } from '../executor.ts';
import { demux } from './demux.ts';
import { engineError } from './engine-errors.ts';
import { readOutputs } from './read-outputs.ts';
import { startError } from './start-error.ts';
import { ONE_SHOT_OUTPUT_FILE } from './to-container-spec.ts';

/** What running a one-shot container needs from its executor. */
export interface OneShotDeps {
  /** the request the container was created for (its image and limits, for error messages) */
  request: ContainerSpecRequest;
  /** kills every process of the container; never throws */
  kill: () => Promise<void>;
  /** the engine, for error messages */
  where: string;
}

/**
 * What the engine's init prints when the image has no `sh` (the command is the container's own
 * process, so a missing shell shows only at its exit, with code 127).
 */
const NO_SHELL = /^\[FATAL tini \(\d+\)\] exec sh failed/;

/**
 * Starts a container made by toOneShotSpec and follows its command to the end: attached before the
 * start so no output is missed, output pulled with backpressure, the exit code from `wait`, the
 * outputs read back from the stopped container. Abort and a failing sink kill the container, as an
 * aborted exec does (see DockerExecutor).
 */
export async function runOneShot(container: Dockerode.Container, sink: ChunkSink, signal: AbortSignal, deps: OneShotDeps): Promise<ExecResult> {
  signal.throwIfAborted();
  let output: NodeJS.ReadableStream & AsyncIterable<Buffer>;
  try {
    output = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream & AsyncIterable<Buffer>;
    await container.start();
  } catch (err) {
    throw startError(err, deps.request, deps.where);
  }
  let killed: Promise<void> | undefined;
  const onAbort = (): void => {
    killed = deps.kill();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  let sinkFailed = false;
  let first = true;
  // the init's complaint, held back until the exit code says whether it is the whole story
  let noShell: Buffer | undefined;
  try {
    for await (const [stream, chunk] of demux(output)) {
      if (signal.aborted) break;
      if (first && stream === 'stderr' && NO_SHELL.test(chunk.toString('utf8', 0, 64))) {
        noShell = chunk;
        first = false;
        continue;
      }
      first = false;
      sinkFailed = true;
      await sink(stream, chunk);
      sinkFailed = false;
    }
    if (signal.aborted) throw signal.reason;
    // the output can close before the command exits (it may close its stdout and go on)
    const { StatusCode: exitCode } = (await container.wait({ condition: 'not-running' })) as { StatusCode: number };
    if (signal.aborted) throw signal.reason;
    if (noShell !== undefined) {
      if (exitCode === 127) {
        throw new ExecutorError(
          'image',
          `image '${deps.request.image}' cannot run steps: ${noShell.toString('utf8').trim()}. Pistages runs every command with sh -e -c; use an image that has 'sh' on its PATH.`,
        );
      }
      sinkFailed = true;
      await sink('stderr', noShell);
      sinkFailed = false;
    }
    return { exitCode, outputs: await readOutputs(container, ONE_SHOT_OUTPUT_FILE, exitCode, deps.where) };
  } catch (err) {
    if (signal.aborted) {
      await killed;
      throw signal.reason;
    }
    if (sinkFailed) {
      await deps.kill();
      throw err;
    }
    if (err instanceof ExecutorError) throw err;
    throw engineError(`run a command in container ${container.id}`, err, deps.where);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
