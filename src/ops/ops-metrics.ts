import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus registry and the Pistages metrics in it. Built once per process (main.ts)
 * and fed by whatever runs there: the worker through a metered RunStore, the GitHub layer through
 * the hooks below, the HTTP app through its own request metrics registered on `registry`.
 */
export interface OpsMetrics {
  registry: Registry;
  /** a run reached a final status (counted by the process that recorded it) */
  runFinished(status: string): void;
  /** a step attempt ended after `seconds` */
  stepFinished(status: string, seconds: number): void;
  /** what became of a webhook delivery: duplicate, accepted, ignored, failed */
  webhookDelivery(event: string, result: string): void;
  /** one answer from the GitHub API; `remaining` from X-RateLimit-Remaining when present */
  githubResponse(status: number, remaining: number | undefined): void;
}

export interface RunCounts {
  queued(): Promise<number>;
  running(): Promise<number>;
}

export interface OpsMetricsOptions {
  /** process metrics (CPU, memory, event loop lag); off in tests that build many registries */
  defaultMetrics?: boolean;
  /** global gauges read at scrape time; absent: the gauges are not exported */
  counts?: RunCounts;
}

export function createOpsMetrics(options: OpsMetricsOptions = {}): OpsMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const runs = new Counter({ name: 'pistages_runs_total', help: 'Runs that reached a final status, by status', labelNames: ['status'] as const, registers });
  const steps = new Histogram({
    name: 'pistages_step_duration_seconds',
    help: 'Duration of step attempts, by final status',
    labelNames: ['status'] as const,
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers,
  });
  const deliveries = new Counter({
    name: 'pistages_webhook_deliveries_total',
    help: 'Webhook deliveries by event and result (duplicate at intake; accepted, ignored or failed after processing)',
    labelNames: ['event', 'result'] as const,
    registers,
  });
  const github = new Counter({ name: 'pistages_github_requests_total', help: 'Requests to the GitHub API, by HTTP status', labelNames: ['status'] as const, registers });
  const rateLimit = new Gauge({ name: 'pistages_github_rate_limit_remaining', help: 'X-RateLimit-Remaining of the latest GitHub answer', registers });
  const { counts } = options;
  if (counts !== undefined) {
    new Gauge({
      name: 'pistages_queue_depth',
      help: 'Runs waiting for a worker (status queued, whole installation)',
      registers,
      async collect() {
        this.set(await counts.queued());
      },
    });
    new Gauge({
      name: 'pistages_runs_running',
      help: 'Runs being executed (status running, whole installation)',
      registers,
      async collect() {
        this.set(await counts.running());
      },
    });
  }
  return {
    registry,
    runFinished: (status) => runs.inc({ status }),
    stepFinished: (status, seconds) => steps.observe({ status }, seconds),
    webhookDelivery: (event, result) => deliveries.inc({ event, result }),
    githubResponse: (status, remaining) => {
      github.inc({ status: String(status) });
      if (remaining !== undefined && Number.isFinite(remaining)) rateLimit.set(remaining);
    },
  };
}
