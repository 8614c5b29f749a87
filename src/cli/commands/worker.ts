import type { Command } from 'commander';
import { buildServices, createLogger, onShutdownSignal } from '../../main.ts';
import { configFor, DEFAULT_GRACE, graceMs } from '../server-process.ts';

interface WorkerOptions {
  concurrency?: string;
  grace: string;
}

/**
 * `pistages worker`: executes queued runs, nothing else (no HTTP). Any number of workers may share
 * one database; each run executes once. SIGTERM/SIGINT: take no new runs, give running ones the
 * grace period, then re-queue what is left and exit 0.
 */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('execute queued runs on the local Docker engine (no HTTP server)')
    .option('--concurrency <n>', 'runs at once (env PISTAGES_CONCURRENCY)')
    .option('--grace <duration>', 'on SIGTERM, how long running runs may take to finish before they are re-queued', DEFAULT_GRACE)
    .action(async (options: WorkerOptions) => {
      const config = configFor('worker', 'worker', { PISTAGES_CONCURRENCY: options.concurrency });
      const grace = graceMs(options.grace, 'worker');
      if (config === undefined || grace === undefined) {
        process.exitCode = 2;
        return;
      }
      const log = createLogger(config);
      const services = await buildServices(config, { worker: true, log });
      onShutdownSignal(log, () => services.shutdown({ graceMs: grace }));
      try {
        await services.worker?.start();
      } catch (err) {
        await services.shutdown({ graceMs: 0 });
        throw err;
      }
    });
}
