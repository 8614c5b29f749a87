import type { Express } from 'express';
import type { ServerMetrics } from '../metrics.ts';

/** `GET /metrics`: Prometheus text format. Outside `/api`, so scrapers need no token. */
export function registerMetricsRoutes(app: Express, metrics: ServerMetrics): void {
  app.get('/metrics', async (_req, res) => {
    const body = await metrics.registry.metrics();
    res.type(metrics.registry.contentType).send(body);
  });
}
