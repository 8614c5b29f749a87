import type { RequestHandler } from 'express';
import { Counter, Histogram, Registry } from 'prom-client';
import type { RunSource } from '../store/store.ts';

/**
 * Prometheus metrics of one app, on the process's registry when given (main.ts), else on the app's
 * own (never prom-client's global one, so two apps in one process never double-register).
 */
export interface ServerMetrics {
  registry: Registry;
  /** counts and times every request, labelled by route pattern (not raw path: bounded cardinality) */
  observe: RequestHandler;
  runSubmitted(source: RunSource): void;
}

export function createMetrics(registry: Registry = new Registry()): ServerMetrics {
  const requests = new Counter({
    name: 'pistages_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'pistages_http_request_duration_seconds',
    help: 'Time to answer HTTP requests (for streams: until the stream closed)',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const submitted = new Counter({
    name: 'pistages_runs_submitted_total',
    help: 'Runs created, by source (api, rerun, push)',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const observe: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('close', () => {
      const pattern: unknown = (req.route as { path?: unknown } | undefined)?.path;
      const labels = { method: req.method, route: typeof pattern === 'string' ? pattern : 'unmatched', status: String(res.statusCode) };
      requests.inc(labels);
      durations.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
  return { registry, observe, runSubmitted: (source) => submitted.inc({ source }) };
}
