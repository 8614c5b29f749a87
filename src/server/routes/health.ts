import type { Express } from 'express';
import { HttpError } from '../http-error.ts';

/**
 * `GET /healthz`: liveness, answers while the process serves HTTP (no I/O).
 * `GET /readyz`: readiness, 200 only when the database answers a ping; 503 otherwise.
 */
export function registerHealthRoutes(app: Express, ping: () => Promise<unknown>): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await ping();
    } catch (error) {
      throw new HttpError(503, 'not_ready', `the database does not answer: ${error instanceof Error ? error.message : String(error)}; check MONGODB_URI`);
    }
    res.json({ status: 'ready' });
  });
}
