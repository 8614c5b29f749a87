import type { Express } from 'express';
import type { Registry } from 'prom-client';
import { checkReadiness, type ReadinessChecks } from './readiness.ts';

export interface OpsRouteDeps {
  registry: Registry;
  readiness: ReadinessChecks;
  /** in-memory state of parts the process cannot work without (the embedded database); no I/O */
  liveness?: () => { alive: boolean; detail?: string };
}

/**
 * `GET /healthz` (alive: no I/O; 503 when the embedded database stays down), `GET /readyz` (every readiness check; 503 naming the ones that
 * failed) and `GET /metrics` (Prometheus text). No token: probes and scrapers reach them directly.
 */
export function registerOpsRoutes(app: Express, deps: OpsRouteDeps): void {
  app.get('/healthz', (_req, res) => {
    const live = deps.liveness?.();
    if (live !== undefined && !live.alive) {
      // a process whose embedded database stays down cannot recover by itself: let the orchestrator restart it
      res.status(503).json({ error: 'not_alive', message: live.detail ?? 'not alive' });
      return;
    }
    res.json({ status: 'ok', ...(live?.detail !== undefined && { detail: live.detail }) });
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
