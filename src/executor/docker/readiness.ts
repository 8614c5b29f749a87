import type Dockerode from 'dockerode';
import { demux } from './demux.ts';
import { READY_MARKER } from './to-container-spec.ts';

/** The container's main process did not come up; the message includes what it printed. */
export class NotReadyError extends Error {}

function withOutput(message: string, output: string): string {
  const text = output.trim();
  return text === '' ? message : `${message}: ${text}`;
}

/**
 * Resolves once the keep-alive shell has printed READY_MARKER. With an init process as PID 1,
 * `start` succeeds even when the image has no `sh`; this turns that into an error at start, with
 * the reason, instead of a confusing "container not running" at the first step.
 * Throws NotReadyError when the container exits first or `timeoutMs` passes (container start does
 * not count towards a step's timeout, so this is what bounds it), or the signal's reason on abort.
 */
export async function waitUntilReady(container: Dockerode.Container, signal: AbortSignal, timeoutMs = 60_000): Promise<void> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const either = AbortSignal.any([signal, deadline]);
  const notReady = (seen: string): NotReadyError => new NotReadyError(withOutput(`its shell did not start within ${timeoutMs / 1000}s`, seen));
  let logs: NodeJS.ReadableStream & AsyncIterable<Buffer>;
  try {
    logs = (await container.logs({ follow: true, stdout: true, stderr: true, abortSignal: either })) as unknown as NodeJS.ReadableStream & AsyncIterable<Buffer>;
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (deadline.aborted) throw notReady('');
    // 501: a logging driver that cannot be read back; readiness then shows at the first exec.
    if ((err as { statusCode?: number }).statusCode === 501) return;
    throw err;
  }
  let seen = '';
  try {
    for await (const [, chunk] of demux(logs)) {
      seen += chunk.toString('utf8');
      if (seen.includes(READY_MARKER)) return;
      if (seen.length > 64 * 1024) seen = seen.slice(-64 * 1024);
    }
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (deadline.aborted) throw notReady(seen);
    throw err;
  }
  const exitCode = await container.inspect().then((info) => ` (exit code ${info.State.ExitCode})`, () => '');
  throw new NotReadyError(withOutput(`the container exited${exitCode} before it was ready`, seen));
}
