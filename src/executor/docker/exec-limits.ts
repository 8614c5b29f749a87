import { ExecutorError, type ExecRequest } from '../executor.ts';

/** Linux refuses an exec whose single argument or environment entry is longer (MAX_ARG_STRLEN, NUL included). */
export const MAX_EXEC_STRING_BYTES = 128 * 1024 - 1;

/** Throws ExecutorError(job) for a command or environment entry the kernel would refuse to exec, instead of a bare `argument list too long`. */
export function assertExecFits(request: ExecRequest): void {
  const commandBytes = Buffer.byteLength(request.command);
  if (commandBytes > MAX_EXEC_STRING_BYTES) {
    throw new ExecutorError(
      'job',
      `the command is ${commandBytes} bytes, more than the ${MAX_EXEC_STRING_BYTES} bytes Linux accepts for one command; ` +
        'put the script in a file under /workspace and run that file',
    );
  }
  for (const [name, value] of Object.entries(request.env)) {
    const bytes = Buffer.byteLength(name) + 1 + Buffer.byteLength(value);
    if (bytes > MAX_EXEC_STRING_BYTES) {
      throw new ExecutorError(
        'job',
        `environment variable ${name} is ${bytes} bytes, more than the ${MAX_EXEC_STRING_BYTES} bytes Linux accepts for one variable; pass large data in a file under /workspace`,
      );
    }
  }
}
