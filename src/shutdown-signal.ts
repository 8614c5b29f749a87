import type { Logger } from 'pino';

/**
 * Calls `stop` once on the first SIGTERM or SIGINT; a second signal exits at once (for an operator
 * who does not want to wait for the grace period).
 */
export function onShutdownSignal(log: Logger, stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(130);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    stop(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
