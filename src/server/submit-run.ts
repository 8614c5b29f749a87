import type { NewRun, RunRecord } from '../store/store.ts';
import type { ServerContext } from './context.ts';
import { HttpError, badRequest, notFound, secretsDisabled } from './http-error.ts';

/** Run ids are MongoDB ObjectIds: 24 hex characters. Anything else is a 400, not a lookup. */
const RUN_ID = /^[0-9a-f]{24}$/i;

export async function loadRun(ctx: ServerContext, id: string): Promise<RunRecord> {
  if (!RUN_ID.test(id)) throw badRequest(`'${id}' is not a run id; run ids are 24 hex characters (see GET /api/runs)`);
  const run = await ctx.runs.get(id);
  if (run === null) throw notFound(`no run with id ${id}`);
  return run;
}

/**
 * Stores a compiled run and queues it. The run is created before it is queued, so a worker never
 * gets an id it cannot load; when queueing fails the stored run is finished as `error` (it would
 * otherwise sit `queued` forever) and the client gets 503 with the id.
 */
export async function submitRun(ctx: ServerContext, run: NewRun): Promise<RunRecord> {
  if (run.plan.secrets.length > 0 && !ctx.secretsEnabled) throw secretsDisabled();
  const record = await ctx.runs.create(run);
  ctx.metrics.runSubmitted(run.source);
  try {
    await ctx.queue.enqueue(record.id);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await ctx.runs.finish(record.id, 'error', `the run could not be queued: ${reason}`, ctx.now());
    ctx.log.error({ runId: record.id, err: error }, 'queueing a run failed; marked it error');
    throw new HttpError(503, 'queue_unavailable', `the run was stored but could not be queued (${reason}); it is marked error, submit it again`, {
      id: record.id,
    });
  }
  return record;
}
