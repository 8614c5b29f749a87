import type { RunRecord } from '../store/store.ts';
import type { ServerContext } from './context.ts';
import { badRequest, notFound } from './http-error.ts';

/** Run ids are MongoDB ObjectIds: 24 hex characters. Anything else is a 400, not a lookup. */
const RUN_ID = /^[0-9a-f]{24}$/i;

export async function loadRun(ctx: ServerContext, id: string): Promise<RunRecord> {
  if (!RUN_ID.test(id)) throw badRequest(`'${id}' is not a run id; run ids are 24 hex characters (see GET /api/runs)`);
  const run = await ctx.runs.get(id);
  if (run === null) throw notFound(`no run with id ${id}`);
  return run;
}
