import type { Command } from 'commander';
import { configFor, DEFAULT_GRACE, graceMs } from '../server-process.ts';

interface WorkerOptions {
  concurrency?: string;
  port?: string;
  grace: string;
}

/**
 * `pistages worker`: executes queued runs. Any number of workers may share one database; each run
 * executes once. With --port (or PISTAGES_PORT set) it serves /healthz, /readyz and /metrics there. SIGTERM/SIGINT: take no new runs, give running ones the
 * grace period, then re-queue what is left and exit 0.
 */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('execute queued runs on the local Docker engine (no API; health and metrics with --port)')
    .option('--concurrency <n>', 'runs at once (env PISTAGES_CONCURRENCY)')
    .option('--port <n>', 'serve /healthz, /readyz and /metrics on this port (env PISTAGES_PORT; default: off)')
    .option('--grace <duration>', 'on SIGTERM, how long running runs may take to finish before they are re-queued', DEFAULT_GRACE)
    .action(async (options: WorkerOptions) => {
      const config = configFor('worker', 'worker', { PISTAGES_CONCURRENCY: options.concurrency, PISTAGES_PORT: options.port });
      const serveOps = options.port !== undefined || (process.env.PISTAGES_PORT ?? '').trim() !== '';
      const grace = graceMs(options.grace, 'worker');
      if (config === undefined || grace === undefined) {
        process.exitCode = 2;
        return;
      }
      // loaded here, not at the top: `pistages --help` must not pay for the worker's modules
      const [{ buildServices, onShutdownSignal }, { startOpsServer }, { createProcessLogger }] = await Promise.all([
        import('../../main.ts'),
        import('../../ops/ops-server.ts'),
        import('../log-output.ts'),
      ]);
      const log = createProcessLogger(config);
      const services = await buildServices(config, { worker: true, log });
      const ops = serveOps ? await startOpsServer({ registry: services.metrics.registry, readiness: services.readiness, liveness: services.liveness }, config.port, config.host) : undefined;
      if (ops) log.info({ address: ops.server.address() }, 'worker health and metrics listening');
      onShutdownSignal(log, async () => {
        await services.shutdown({ graceMs: grace });
        await ops?.close();
      });
      try {
        await services.worker?.start();
      } catch (err) {
        await services.shutdown({ graceMs: 0 });
        await ops?.close();
        throw err;
      }
    });
}
