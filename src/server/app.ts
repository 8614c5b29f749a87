import express, { type Express } from 'express';
import type { AppDeps, ServerContext } from './context.ts';
import { accessLog } from './middleware/access-log.ts';
import { requireToken } from './middleware/auth.ts';
import { errorHandler, notFoundRoute } from './middleware/errors.ts';
import { refuseNulInPath } from './middleware/path-check.ts';
import { createMetrics } from './metrics.ts';
import { registerActionRoutes } from './routes/api-actions.ts';
import { registerDeliveryRoutes } from './routes/api-deliveries.ts';
import { registerRunLogRoutes } from './routes/api-run-logs.ts';
import { registerRunRoutes } from './routes/api-runs.ts';
import { registerSecretRoutes } from './routes/api-secrets.ts';
import { registerTokenRoutes } from './routes/api-tokens.ts';
import { registerOpsRoutes } from '../ops/ops-routes.ts';
import { createLogHub } from '../web/log-hub.ts';
import { registerWebRoutes } from '../web/web-routes.ts';

export type { AppDeps, ServerContext, SubmitQueue } from './context.ts';

/**
 * The HTTP app: health, metrics and the token-protected `/api` (each route's role: route-roles.ts). It does not listen; the caller does
 * (main.ts in production, tests on 127.0.0.1:0). Throws when the config has no API token: there is
 * no unauthenticated mode.
 */
export function createApp(deps: AppDeps): Express {
  const { apiToken } = deps.config;
  if (apiToken === undefined) {
    throw new Error('PISTAGES_API_TOKEN is required to serve the API; generate one with `openssl rand -hex 32`');
  }
  const { publicRoutes, submit, registry: _registry, readiness, liveness, logHub, changes, ...rest } = deps;
  const now = deps.now ?? (() => new Date());
  const metrics = createMetrics(deps.registry);
  const secretsEnabled = deps.config.secretKey !== undefined;
  const ctx: ServerContext = {
    ...rest,
    now,
    followPollMs: deps.followPollMs ?? 250,
    logHub: logHub ?? createLogHub({ runs: deps.runs, logs: deps.logs, pollMs: deps.followPollMs ?? 250, ...(changes && { changes }), onError: (err, runId) => deps.log.error({ err, runId }, 'log tail failed') }),
    metrics,
    secretsEnabled,
    submit: { ...(submit ?? { runs: deps.runs, queue: deps.queue, secretsEnabled, now, log: deps.log }), onSubmitted: (run) => metrics.runSubmitted(run.source) },
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(accessLog(deps.log));
  app.use(ctx.metrics.observe);

  registerOpsRoutes(app, { registry: metrics.registry, readiness: readiness ?? { mongodb: deps.ping ?? (() => deps.runs.list({}, { limit: 1 })) }, ...(liveness !== undefined && { liveness }) });
  publicRoutes?.(app);
  registerWebRoutes(app, ctx);

  app.use('/api', requireToken({ adminToken: apiToken, tokens: deps.tokens, now, log: deps.log }), refuseNulInPath);
  registerActionRoutes(app, ctx);
  registerRunRoutes(app, ctx);
  registerRunLogRoutes(app, ctx);
  registerSecretRoutes(app, ctx);
  registerDeliveryRoutes(app, ctx);
  registerTokenRoutes(app, ctx);

  app.use(notFoundRoute);
  app.use(errorHandler(deps.log));
  return app;
}
