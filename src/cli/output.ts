/**
 * Text out to a stream (stdout) with backpressure: `write` returns a promise when the stream's
 * buffer is full, settled once it drained, so a slow reader (`| less`, a slow pipe) slows the run
 * instead of growing memory. When the stream breaks (EPIPE after `| head`, a closed terminal),
 * `onBroken` is called once and later writes are dropped: the caller decides what a lost reader means.
 */
export interface Output {
  write(text: string): void | Promise<void>;
  readonly broken: boolean;
}

export function streamOutput(stream: NodeJS.WritableStream, onBroken: (err: Error) => void): Output {
  let broken = false;
  const waiting = new Set<() => void>();
  const breakOff = (err: Error): void => {
    if (broken) return;
    broken = true;
    for (const wake of waiting) wake();
    onBroken(err);
  };
  stream.on('error', breakOff);
  stream.on('drain', () => {
    for (const wake of waiting) wake();
  });
  return {
    get broken() {
      return broken;
    },
    write(text) {
      if (broken || stream.write(text)) return;
      return new Promise<void>((resolve) => {
        const wake = (): void => {
          waiting.delete(wake);
          resolve();
        };
        waiting.add(wake);
      });
    },
  };
}
