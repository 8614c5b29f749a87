import type Dockerode from 'dockerode';
import { ExecutorError, type ChunkSink, type ContainerSpecRequest, type ExecResult } from '../executor.ts';
import { followCommand } from './follow-command.ts';
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
  let first = true;
  // the init's complaint, held back until the exit code says whether it is the whole story
  let noShell: Buffer | undefined;
  const held: ChunkSink = (stream, chunk) => {
    const isFirst = first;
    first = false;
    if (isFirst && stream === 'stderr' && NO_SHELL.test(chunk.toString('utf8', 0, 64))) noShell = chunk;
    else return sink(stream, chunk);
  };
  // the sink's own error, when it fails on the held line after the exit
  let sinkError: unknown;
  const describe = (err: unknown): Error => (err === sinkError ? (err as Error) : engineError(`run a command in container ${container.id}`, err, deps.where));
  return followCommand(async () => output, held, signal, { kill: deps.kill, describe }, async () => {
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
      try {
        await sink('stderr', noShell);
      } catch (err) {
        sinkError = err;
        throw err;
      }
    }
    return { exitCode, outputs: await readOutputs(container, ONE_SHOT_OUTPUT_FILE, exitCode, deps.where) };
  });
}
