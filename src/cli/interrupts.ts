const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Ctrl-C, SIGTERM and a closed terminal (SIGHUP) abort `cancel` with the reason, so the run
 * removes its containers and volumes before the process exits; a second signal exits at once
 * with 130. `interrupt(reason)` does the same for other ways of losing the user (EPIPE on stdout).
 * Returns the function that removes the handlers.
 */
export function trapInterrupts(cancel: AbortController, say: (line: string) => void): { interrupt: (reason: string) => void; release: () => void } {
  const interrupt = (reason: string): void => {
    if (cancel.signal.aborted) return;
    say(`\ncancelling (${reason}): stopping containers (Ctrl-C again to quit at once)\n`);
    cancel.abort(new Error(`cancelled: ${reason}`));
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (cancel.signal.aborted) process.exit(130);
    interrupt(signal === 'SIGINT' ? 'Ctrl-C' : signal === 'SIGHUP' ? 'the terminal closed' : signal);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return {
    interrupt,
    release: () => {
      for (const signal of SIGNALS) process.off(signal, onSignal);
    },
  };
}
