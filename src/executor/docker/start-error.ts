import { ExecutorError, type ContainerSpecRequest } from '../executor.ts';
import { causeOf, engineError, refusedByEngine } from './engine-errors.ts';
import { NotReadyError } from './readiness.ts';

/** Why a created container did not start: a refused limit (job), no shell in the image (image), or the engine. */
export function startError(err: unknown, request: ContainerSpecRequest, where: string): ExecutorError {
  const refused = refusedByEngine(err, 'start', request.resources);
  if (refused) return refused;
  if (err instanceof NotReadyError || /executable file not found/i.test(causeOf(err))) {
    return new ExecutorError(
      'image',
      `image '${request.image}' cannot run steps: its container did not start a shell (${causeOf(err)}). ` +
        "Pistages runs every command with sh -e -c; use an image that has 'sh' on its PATH.",
      { cause: err },
    );
  }
  return engineError(`start a container from image '${request.image}'`, err, where);
}
