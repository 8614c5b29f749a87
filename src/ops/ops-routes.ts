import type { Express } from 'express';
import type { Registry } from 'prom-client';
import { checkReadiness, type ReadinessChecks } from './readiness.ts';

export interface OpsRouteDeps {
  registry: Registry;
  readiness: ReadinessChecks;
}

/**
 * `GET /healthz` (alive: no I/O), `GET /readyz` (every readiness check; 503 naming the ones that
 * failed) and `GET /metrics` (Prometheus text). No token: probes and scrapers reach them directly.
 */
export function registerOpsRoutes(app: Express, deps: OpsRouteDeps): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const report = await checkReadiness(deps.readiness);
    if (report.ready) {
      res.json({ status: 'ready' });
      return;
    }
    const failed = Object.entries(report.checks).filter(([, result]) => result !== 'ok');
    res.status(503).json({
      error: 'not_ready',
      message: `not ready: ${failed.map(([name, result]) => `${name}: ${result}`).join('; ')}`,
      details: { checks: report.checks },
    });
  });
  app.get('/metrics', async (_req, res) => {
    const body = await deps.registry.metrics();
    res.type(deps.registry.contentType).send(body);
  });
}
