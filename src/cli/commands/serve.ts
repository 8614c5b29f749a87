import type { Server } from 'node:http';
import type { Command } from 'commander';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../config.ts';
import { configFor, DEFAULT_GRACE, graceMs, serverAppDeps } from '../server-process.ts';

interface ServeOptions {
  worker: boolean;
  port?: string;
  grace: string;
}

/**
 * `pistages serve`: the HTTP server (API, webhooks, metrics) plus, unless --no-worker, a worker in
 * the same process (runs submitted here start without waiting for a poll). Without MONGODB_URI
 * it starts an embedded FerretDB. SIGTERM/SIGINT: stop accepting requests, let running runs
 * finish within the grace period (then re-queue them), close the database, exit 0.
 */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the server (HTTP API and an in-process worker)')
    .option('--no-worker', 'do not execute runs in this process (run `pistages worker` elsewhere)')
    .option('--port <n>', 'TCP port (env PISTAGES_PORT)')
    .option('--grace <duration>', 'on SIGTERM, how long running runs may take to finish before they are re-queued', DEFAULT_GRACE)
    .action(async (options: ServeOptions) => {
      const config = configFor('server', 'serve', { PISTAGES_PORT: options.port });
      const grace = graceMs(options.grace, 'serve');
      if (config === undefined || grace === undefined) {
        process.exitCode = 2;
        return;
      }
      // loaded here, not at the top: `pistages --help` must not pay for the server's modules
      const [{ buildServices, onShutdownSignal }, { createApp }, { createProcessLogger }] = await Promise.all([
        import('../../main.ts'),
        import('../../server/app.ts'),
        import('../log-output.ts'),
      ]);
      const log = createProcessLogger(config);
      const services = await buildServices(config, { worker: options.worker, log, github: true });
      const { worker } = services;
      let server: Server | undefined;
      onShutdownSignal(log, async () => {
        const closed = server ? new Promise<void>((done) => server?.close(() => done())) : Promise.resolve();
        server?.closeIdleConnections();
        await services.shutdown({ graceMs: grace });
        server?.closeAllConnections(); // live log streams would otherwise hold the process open
        await closed;
      });
      const app = createApp(serverAppDeps(services, log));
      try {
        server = await new Promise<Server>((resolve, reject) => {
          const listening = app.listen(config.port, config.host, () => resolve(listening));
          listening.once('error', reject);
        });
        const address = server.address() as AddressInfo;
        log.info({ address, database: config.dbName, worker: worker !== undefined }, startLine(config, address, worker !== undefined));
        await worker?.start();
        await services.github?.start();
      } catch (err) {
        server?.close();
        await services.shutdown({ graceMs: 0 });
        throw err;
      }
    });
}

/** The one line that says where the server is and what it uses. */
function startLine(config: Config, address: AddressInfo, worker: boolean): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const where = config.mongodbUri === undefined
    ? `embedded FerretDB in ${config.dataDir}`
    : `MongoDB at ${config.mongodbUri.replace(/^mongodb(\+srv)?:\/\/([^@/]*@)?/, '').split(/[/?]/)[0] ?? ''}`;
  const runs = worker ? `worker: ${config.concurrency} run${config.concurrency === 1 ? '' : 's'} at once` : 'no worker (--no-worker)';
  // job containers reach the host's other addresses, so loopback is the default with the embedded database
  const reach = /^(127\.|::1$)/.test(address.address) ? ' (this machine only; PISTAGES_HOST=0.0.0.0 serves others)' : '';
  return `pistages serving on http://${host}:${address.port}${reach} · database '${config.dbName}', ${where} · ${runs}`;
}
