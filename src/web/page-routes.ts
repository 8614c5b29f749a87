import type { Express, Request, RequestHandler, Response } from 'express';
import { TERMINAL_STATUSES, type Status } from '../pipeline/types.ts';
import type { RunFilter, RunRecord, RunSource } from '../store/store.ts';
import type { ServerContext } from '../server/context.ts';
import { notFound } from '../server/http-error.ts';
import { loadRun } from '../server/load-run.ts';
import { maskDeep, runMasker } from '../server/secret-mask.ts';
import { logFilter } from './log-filter.ts';
import { actionPage, actionsPage } from './views/actions-page.ts';
import { deliveriesPage } from './views/deliveries-page.ts';
import { page, type Html, type PageFrame } from './views/html.ts';
import { lanes, runPage } from './views/run-page.ts';
import { runRows, runsPage, TRIGGERS, type RunListFilters } from './views/runs-page.ts';
import { viewerOf } from './web-auth.ts';

const PAGE_SIZE = 50;
const STATUSES = new Set<string>(['queued', 'running', ...TERMINAL_STATUSES]);

/** The pages: runs (`/`), one run (`/runs/:id`), actions, deliveries. `?fragment=` serves the live part alone. */
export function registerPageRoutes(app: Express, ctx: ServerContext, guard: RequestHandler[]): void {
  const masked = async (run: RunRecord): Promise<RunRecord> => maskDeep(run, await runMasker(ctx.secretsEnabled ? ctx.secrets : undefined, run));
  const send = (req: Request, res: Response, frame: Omit<PageFrame, 'loggedIn' | 'csrf'>): void => {
    const { session } = viewerOf(res);
    res.type('html').send(page({ ...frame, loggedIn: session !== undefined, csrf: session?.csrf }));
  };
  const fragment = (res: Response, body: Html): void => {
    res.set('Cache-Control', 'no-store').type('html').send(body.text);
  };

  app.get('/', ...guard, async (req, res) => {
    const filters = listFilters(req.query);
    const cursor = typeof req.query.cursor === 'string' && req.query.cursor !== '' ? req.query.cursor : undefined;
    const { runs, next } = await listRuns(ctx, filters, cursor);
    const shown = await Promise.all(runs.map(masked));
    if (req.query.fragment === 'rows') {
      fragment(res, runRows(shown, ctx.now()));
      return;
    }
    send(req, res, { title: 'Runs', section: 'runs', body: runsPage(filters, shown, next, ctx.now()), scripts: ['common.js'] });
  });

  app.get('/runs/:id', ...guard, async (req, res) => {
    const run = await masked(await loadRun(ctx, String(req.params.id)));
    if (req.query.fragment === 'lanes') {
      fragment(res, lanes(run, ctx.now()));
      return;
    }
    const body = runPage(run, { canWrite: viewerOf(res).canWrite, filter: logFilter(req.query), now: ctx.now() });
    send(req, res, { title: `${run.job} ${run.status}`, section: 'runs', body, scripts: ['common.js', 'run-page.js'] });
  });

  app.get('/actions', ...guard, async (req, res) => {
    const actions = (await ctx.actions.list()).sort((a, b) => a.name.localeCompare(b.name));
    send(req, res, { title: 'Actions', section: 'actions', body: actionsPage(actions, ctx.now()), scripts: ['common.js'] });
  });

  app.get('/actions/:name', ...guard, async (req, res) => {
    const action = await ctx.actions.get(String(req.params.name));
    if (action === null) throw notFound(`no action named '${String(req.params.name)}'`);
    const version = (v: unknown) => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : undefined);
    const body = actionPage(action, await ctx.actions.history(action.name), { from: version(req.query.from), to: version(req.query.to) }, ctx.now());
    send(req, res, { title: action.name, section: 'actions', body, scripts: ['common.js'] });
  });

  app.get('/deliveries', ...guard, async (req, res) => {
    const deliveries = ctx.deliveries === undefined ? undefined : await ctx.deliveries.list({}, 100);
    send(req, res, { title: 'Deliveries', section: 'deliveries', body: deliveriesPage(deliveries, ctx.now()), scripts: ['common.js'] });
  });
}

function listFilters(query: Record<string, unknown>): RunListFilters {
  const out: RunListFilters = {};
  for (const key of ['repo', 'branch', 'job'] as const) {
    const value = query[key];
    if (typeof value === 'string' && value.trim() !== '') out[key] = value.trim();
  }
  if (typeof query.status === 'string' && STATUSES.has(query.status)) out.status = query.status;
  if (typeof query.trigger === 'string' && (TRIGGERS as readonly string[]).includes(query.trigger)) out.trigger = query.trigger;
  return out;
}

/** A page of runs: every filter, the trigger too, is a store query (indexed, see migration-list.ts). */
async function listRuns(ctx: ServerContext, filters: RunListFilters, cursor: string | undefined): Promise<{ runs: RunRecord[]; next: string | undefined }> {
  const filter: RunFilter = {};
  if (filters.repo !== undefined) filter.repo = filters.repo;
  if (filters.branch !== undefined) filter.branch = filters.branch;
  if (filters.job !== undefined) filter.job = filters.job;
  if (filters.status !== undefined) filter.status = filters.status as Status;
  if (filters.trigger !== undefined) filter.source = filters.trigger as RunSource;
  const found = await ctx.runs.list(filter, { limit: PAGE_SIZE, ...(cursor !== undefined && { cursor }) });
  return { runs: found.runs, next: found.next };
}
