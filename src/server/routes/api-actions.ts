import type { Express } from 'express';
import type { ActionRecord } from '../../store/store.ts';
import { ConflictError } from '../../store/store.ts';
import type { ServerContext } from '../context.ts';
import { HttpError, notFound } from '../http-error.ts';
import { parseOrThrow } from '../../runs/compile.ts';
import { acceptBody } from '../middleware/body.ts';
import { assertKnownKeys, flag, single } from '../query.ts';

/**
 * The action registry over HTTP. Names are any text, so clients URL-encode them in paths
 * (`/api/actions/Clone%20Repo%2C%20Pistages%20if%20omitted`); Express decodes path parameters.
 */
export function registerActionRoutes(app: Express, ctx: ServerContext): void {
  app.post('/api/actions', ...acceptBody(['yaml'], ctx.config.bodyLimitBytes), async (req, res) => {
    assertKnownKeys(req.query, ['replace', 'file']);
    const replace = flag(req.query, 'replace');
    const yaml: unknown = req.body;
    if (typeof yaml !== 'string') throw new HttpError(400, 'invalid_request', 'send the action file as the request body');
    const definition = parseOrThrow(yaml, single(req.query, 'file') ?? 'action.yaml');
    let record: ActionRecord;
    try {
      record = await ctx.actions.put(definition, yaml, { kind: 'upload' }, { replace });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      throw new HttpError(409, 'conflict', `action '${definition.name}' is already registered; send ?replace=true to replace it (pistages actions register --replace)`, {
        name: definition.name,
      });
    }
    res.status(201).location(`/api/actions/${encodeURIComponent(record.name)}`).json({ name: record.name, version: record.version });
  });

  app.get('/api/actions', async (req, res) => {
    assertKnownKeys(req.query, []);
    const records = await ctx.actions.list();
    res.json({ actions: records.map(summary) });
  });

  app.get('/api/actions/:name', async (req, res) => {
    assertKnownKeys(req.query, []);
    const record = await ctx.actions.get(req.params.name);
    if (record === null) throw unknownAction(req.params.name);
    res.json({ ...summary(record), yaml: record.yaml });
  });

  app.delete('/api/actions/:name', async (req, res) => {
    assertKnownKeys(req.query, []);
    if (!(await ctx.actions.remove(req.params.name))) throw unknownAction(req.params.name);
    res.status(204).end();
  });
}

function summary(record: ActionRecord) {
  return {
    name: record.name,
    description: record.description ?? null,
    version: record.version,
    updatedAt: record.updatedAt,
    source: record.source,
    params: record.definition.with,
  };
}

function unknownAction(name: string): HttpError {
  return notFound(`no action named '${name}' is registered; list them with pistages actions list`);
}
