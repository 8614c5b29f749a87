import { loadConfig, ConfigError, type Config, type ConfigRole } from '../config.ts';
import { ConfigValueError, parseDuration } from '../config-values.ts';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Services } from '../main.ts';
import type { AppDeps } from '../server/app.ts';

/** grace period of a stopping worker when --grace is not given */
export const DEFAULT_GRACE = '30s';

/** Loads the config for a long-running process; prints every problem and returns undefined when invalid. */
export function configFor(role: ConfigRole, command: string, overrides: Record<string, string | undefined> = {}): Config | undefined {
  try {
    // a flag that was not given must not hide its environment variable
    const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
    return loadConfig({ ...process.env, ...given }, { role });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) process.stderr.write(`pistages ${command}: ${problem.variable} ${problem.message}\n`);
    return undefined;
  }
}

/** --grace value → ms; prints the problem and returns undefined when invalid. */
export function graceMs(text: string, command: string): number | undefined {
  try {
    return parseDuration(text);
  } catch (err) {
    if (!(err instanceof ConfigValueError)) throw err;
    process.stderr.write(`pistages ${command}: --grace ${err.message}\n`);
    return undefined;
  }
}

/** What the HTTP app of `pistages serve` gets from the services: stores, queue, ops, GitHub routes, in-process cancel. */
export function serverAppDeps(services: Services, log: Logger): AppDeps {
  const { worker, github } = services;
  return {
    config: services.config,
    runs: services.runs,
    logs: services.logs,
    actions: services.actions,
    secrets: services.secrets,
    tokens: services.tokens,
    queue: services.queue,
    log,
    ping: services.ping,
    registry: services.metrics.registry,
    readiness: services.readiness,
    liveness: services.liveness,
    submit: services.submit,
    deliveries: services.deliveries,
    ...(services.changes && { changes: services.changes }),
    ...(github && { publicRoutes: (routes: Express) => github.registerRoutes(routes) }),
    ...(worker && { onCancel: (runId: string) => void worker.cancel(runId) }),
  };
}
