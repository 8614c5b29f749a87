import type { Express, Response } from 'express';
import { cancelRun } from '../../runs/cancel.ts';
import { compileOrThrow } from '../../runs/compile.ts';
import { prepareRerun } from '../../runs/rerun.ts';
import { runCatalog } from '../../runs/run-actions.ts';
import { withSecretScope, type SecretGrant } from '../../runs/secret-scope.ts';
import { submitRun } from '../../runs/submit.ts';
import type { ServerContext } from '../context.ts';
import { acceptBody } from '../middleware/body.ts';
import { assertKnownKeys, flag, parseRunListQuery } from '../query.ts';
import { parseRunRequest } from '../run-request.ts';
import { toRunSummary, toRunView } from '../run-view.ts';
import { maskDeep, runMasker } from '../secret-mask.ts';
import { loadRun } from '../load-run.ts';
import { principalOf } from '../middleware/auth.ts';

/**
 * Submitting, listing, inspecting, cancelling and re-running runs. Logs are in api-run-logs.ts. A run
 * naming a repository gets its scoped secrets only when the token is granted it (runs/secret-scope.ts).
 */
export function registerRunRoutes(app: Express, ctx: ServerContext): void {
  app.post('/api/runs', ...acceptBody(['yaml', 'json'], ctx.config.bodyLimitBytes), async (req, res) => {
    const request = parseRunRequest(req.body, req.is('application/json') !== false, req.query);
    const catalog = await runCatalog(ctx.actions, request.actions);
    const { job, plan } = compileOrThrow(request.yaml, request.file, catalog.catalog, request.params, ctx.config);
    const used = catalog.used();
    const run = await submitRun(ctx.submit, await withSecretScope(secretsOf(ctx), {
      ...(used.length > 0 ? { actions: used } : {}),
      ...request.trigger,
      job: job.name,
      source: 'api',
      yaml: request.yaml,
      file: request.file,
      params: plan.params,
      plan,
    }, grantOf(res)));
    res.status(201).location(`/api/runs/${run.id}`).json({ id: run.id });
  });

  app.get('/api/runs', async (req, res) => {
    const { filter, page } = parseRunListQuery(req.query);
    const found = await ctx.runs.list(filter, page);
    const runs = await Promise.all(found.runs.map(async (run) => maskDeep(toRunSummary(run), await runMasker(ctx.secretsEnabled ? ctx.secrets : undefined, run))));
    res.json({ runs, next: found.next ?? null });
  });

  app.get('/api/runs/:id', async (req, res) => {
    assertKnownKeys(req.query, []);
    const run = await loadRun(ctx, req.params.id);
    res.json(maskDeep(toRunView(run), await runMasker(ctx.secretsEnabled ? ctx.secrets : undefined, run)));
  });

  app.post('/api/runs/:id/cancel', async (req, res) => {
    assertKnownKeys(req.query, []);
    const run = await loadRun(ctx, req.params.id);
    const updated = await cancelRun(ctx, run);
    res.status(202).json({ id: run.id, status: updated.status, cancelRequested: true });
  });

  app.post('/api/runs/:id/rerun', async (req, res) => {
    assertKnownKeys(req.query, ['failed']);
    const failedOnly = flag(req.query, 'failed');
    const original = await loadRun(ctx, req.params.id);
    const rerun = await prepareRerun(ctx.actions, original, { failedOnly, limits: ctx.config });
    const run = await submitRun(ctx.submit, await withSecretScope(secretsOf(ctx), rerun, grantOf(res)));
    res.status(201).location(`/api/runs/${run.id}`).json({ id: run.id });
  });
}

function grantOf(res: Response): SecretGrant {
  const { role, repos } = principalOf(res);
  return { admin: role === 'admin', repos };
}

function secretsOf(ctx: ServerContext): ServerContext['secrets'] | undefined {
  return ctx.secretsEnabled ? ctx.secrets : undefined;
}
