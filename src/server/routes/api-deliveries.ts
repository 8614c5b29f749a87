import type { Express } from 'express';
import type { DeliveryFilter, DeliveryOutcome } from '../../store/store.ts';
import type { ServerContext } from '../context.ts';
import { badRequest, notFound } from '../http-error.ts';
import { assertKnownKeys, integer, repoName, single } from '../query.ts';

const OUTCOMES: readonly DeliveryOutcome[] = ['received', 'accepted', 'ignored', 'failed'];

/** Webhook deliveries and what each did: `GET /api/deliveries?repo=&event=&outcome=&limit=`, `GET /api/deliveries/:id`. */
export function registerDeliveryRoutes(app: Express, ctx: ServerContext): void {
  app.get('/api/deliveries', async (req, res) => {
    const deliveries = ctx.deliveries;
    if (deliveries === undefined) throw notFound('this server keeps no webhook deliveries');
    assertKnownKeys(req.query, ['repo', 'event', 'outcome', 'limit']);
    const filter: DeliveryFilter = {};
    const repo = repoName(single(req.query, 'repo'), 'repo');
    if (repo !== undefined) filter.repo = repo;
    const event = single(req.query, 'event');
    if (event !== undefined) filter.event = event;
    const outcome = single(req.query, 'outcome');
    if (outcome !== undefined) {
      if (!OUTCOMES.includes(outcome as DeliveryOutcome)) throw badRequest(`outcome must be one of ${OUTCOMES.join(', ')}`);
      filter.outcome = outcome as DeliveryOutcome;
    }
    const limit = integer(req.query, 'limit', 1, 500) ?? 50;
    res.json({ deliveries: await deliveries.list(filter, limit) });
  });

  app.get('/api/deliveries/:id', async (req, res) => {
    assertKnownKeys(req.query, []);
    const found = await ctx.deliveries?.get(req.params.id);
    if (found === undefined || found === null) throw notFound(`no webhook delivery ${req.params.id}`);
    res.json(found);
  });
}
