import type { Server } from 'node:http';
import express from 'express';
import { registerOpsRoutes, type OpsRouteDeps } from './ops-routes.ts';

/**
 * The ops endpoints alone, for processes without the API (`pistages worker --port`). Resolves once
 * listening; `close` stops it.
 */
export async function startOpsServer(deps: OpsRouteDeps, port: number, host: string): Promise<{ server: Server; close(): Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  registerOpsRoutes(app, deps);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'a worker serves only /healthz, /readyz and /metrics' });
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(port, host, () => resolve(listening));
    listening.once('error', reject);
  });
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
