import type Dockerode from 'dockerode';
import { ExecutorError } from '../executor.ts';
import { engineError, statusOf } from './engine-errors.ts';
import { parseOutputs } from './outputs.ts';
import { OutputTooLargeError, readFirstFile } from './tar.ts';

/** Larger outputs belong in files under /workspace; this keeps a run's events small. */
export const MAX_OUTPUTS_BYTES = 1024 * 1024;

/**
 * The outputs a command wrote to `file` (its $PISTAGES_OUTPUT), read with the archive API. Outputs
 * that are too large, or malformed after a successful command, are the job's doing: ExecutorError('job'),
 * so the step fails once and the run is not taken for an engine fault. A failed command keeps its
 * own status whatever its outputs hold.
 */
export async function readOutputs(container: Dockerode.Container, file: string, exitCode: number, where: string): Promise<Record<string, string>> {
  let text: string;
  try {
    const archive = (await container.getArchive({ path: file })) as NodeJS.ReadableStream & AsyncIterable<Buffer>;
    text = (await readFirstFile(archive, MAX_OUTPUTS_BYTES)).toString('utf8');
  } catch (err) {
    if (statusOf(err) === 404) return {}; // the command wrote no outputs
    if (err instanceof OutputTooLargeError) {
      throw new ExecutorError('job', `$PISTAGES_OUTPUT holds ${err.message}, over the ${MAX_OUTPUTS_BYTES}-byte limit; write large data to a file under /workspace and output its path`);
    }
    throw engineError(`read the step outputs from container ${container.id}`, err, where);
  }
  const { outputs, problems } = parseOutputs(text);
  if (problems.length > 0 && exitCode === 0) throw new ExecutorError('job', problems.join('\n'));
  return outputs;
}
