import type { RunRecord } from '../store/store.ts';
import type { ServerContext } from './context.ts';
import { badRequest, notFound } from './http-error.ts';

/** Run ids are MongoDB ObjectIds: 24 hex characters; any unique prefix of 6 or more stands for one. */
const RUN_ID = /^[0-9a-f]{24}$/i;
const RUN_ID_PREFIX = /^[0-9a-f]{6,23}$/i;

export async function loadRun(ctx: ServerContext, id: string): Promise<RunRecord> {
  if (RUN_ID_PREFIX.test(id)) return loadByPrefix(ctx, id.toLowerCase());
  if (!RUN_ID.test(id)) throw badRequest(`'${id}' is not a run id; run ids are 24 hex characters, or a unique prefix of 6 or more (see pistages runs)`);
  const run = await ctx.runs.get(id.toLowerCase());
  if (run === null) throw notFound(`no run with id ${id}; list runs with pistages runs`);
  return run;
}

async function loadByPrefix(ctx: ServerContext, prefix: string): Promise<RunRecord> {
  const { runs } = await ctx.runs.list({ idPrefix: prefix }, { limit: 3 });
  const [run, other] = runs;
  if (run === undefined) throw notFound(`no run id starts with ${prefix}; list runs with pistages runs`);
  if (other !== undefined) {
    throw badRequest(`run id ${prefix} is ambiguous: it starts ${runs.map((r) => r.id).join(', ')}${runs.length > 2 ? ', ...' : ''}; give more characters`, { ids: runs.map((r) => r.id) });
  }
  return run;
}
