import type { Express } from 'express';
import { TERMINAL_STATUSES } from '../../pipeline/types.ts';
import type { RunRecord, TriggerInfo } from '../../store/store.ts';
import type { ServerContext } from '../context.ts';
import { conflict } from '../http-error.ts';
import { compileJob, loadCatalog, parseJobText } from '../job-input.ts';
import { acceptBody } from '../middleware/body.ts';
import { assertKnownKeys, flag, parseRunListQuery } from '../query.ts';
import { parseRunRequest } from '../run-request.ts';
import { toRunSummary, toRunView } from '../run-view.ts';
import { maskDeep, runMasker } from '../secret-mask.ts';
import { loadRun, submitRun } from '../submit-run.ts';

/** Submitting, listing, inspecting, cancelling and re-running runs. Logs are in api-run-logs.ts. */
export function registerRunRoutes(app: Express, ctx: ServerContext): void {
  app.post('/api/runs', ...acceptBody(['yaml', 'json'], ctx.config.bodyLimitBytes), async (req, res) => {
    const request = parseRunRequest(req.body, req.is('application/json') !== false, req.query);
    const job = parseJobText(request.yaml, request.file);
    const plan = compileJob(job, await loadCatalog(ctx.actions), request.params);
    const run = await submitRun(ctx, {
      ...request.trigger,
      job: job.name,
      source: 'api',
      yaml: request.yaml,
      file: request.file,
      params: plan.params,
      plan,
    });
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
    if (TERMINAL_STATUSES.includes(run.status)) {
      throw conflict(`run ${run.id} already finished (${run.status}); nothing to cancel`, { status: run.status });
    }
    const updated = await ctx.runs.requestCancel(run.id);
    if (updated === null) throw conflict(`run ${run.id} disappeared while cancelling`);
    ctx.onCancel?.(run.id);
    res.status(202).json({ id: run.id, status: updated.status, cancelRequested: true });
  });

  app.post('/api/runs/:id/rerun', async (req, res) => {
    assertKnownKeys(req.query, ['failed']);
    const failedOnly = flag(req.query, 'failed');
    const original = await loadRun(ctx, req.params.id);
    if (!TERMINAL_STATUSES.includes(original.status)) {
      throw conflict(`run ${original.id} is still ${original.status}; wait for it to finish or cancel it first`, { status: original.status });
    }
    let onlyGroups: string[] | undefined;
    if (failedOnly) {
      const done = new Set(original.groups.filter((g) => g.status === 'success').map((g) => g.name));
      onlyGroups = original.plan.groups.map((g) => g.name).filter((name) => !done.has(name));
      if (onlyGroups.length === 0) throw conflict(`every group of run ${original.id} succeeded; rerun without ?failed=true to run them all again`);
    }
    // compiled again from the stored text, against the actions registered now (fixed actions apply)
    const job = parseJobText(original.yaml, original.file);
    const plan = compileJob(job, await loadCatalog(ctx.actions), original.params);
    const trigger = triggerOf(original);
    const run = await submitRun(ctx, {
      ...trigger,
      job: job.name,
      source: 'rerun',
      yaml: original.yaml,
      file: original.file,
      params: plan.params,
      plan,
      rerunOf: original.id,
      ...(onlyGroups === undefined ? {} : { onlyGroups }),
    });
    res.status(201).location(`/api/runs/${run.id}`).json({ id: run.id });
  });
}

/** the push/API trigger data of a run, without keys that are unset */
function triggerOf(run: RunRecord): TriggerInfo {
  const { repo, sha, ref, branch, cloneUrl, event, installationId } = run;
  const all: TriggerInfo = { repo, sha, ref, branch, cloneUrl, event, installationId };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined && v !== null)) as TriggerInfo;
}
