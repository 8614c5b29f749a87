import type { Express, Request } from 'express';
import { MIN_SECRET_LENGTH } from '../../executor/log/mask.ts';
import { assertSecretName, assertSecretScope, GLOBAL_SCOPE } from '../../store/secret-names.ts';
import type { ServerContext } from '../context.ts';
import { badRequest, notFound, secretsDisabled } from '../http-error.ts';
import { acceptBody } from '../middleware/body.ts';
import { assertKnownKeys, repoName, single } from '../query.ts';

const MAX_SECRET_BYTES = 64 * 1024;

/**
 * Secrets: values go in (PUT) and never come out. Answers carry names and scopes only; the access log
 * records no bodies. A scope is `global` or `repo:owner/name` (the repo scope wins for that repo's runs).
 */
export function registerSecretRoutes(app: Express, ctx: ServerContext): void {
  app.use('/api/secrets', (_req, _res, next) => next(ctx.secretsEnabled ? undefined : secretsDisabled()));

  app.put('/api/secrets/:name', ...acceptBody(['json'], ctx.config.bodyLimitBytes), async (req, res) => {
    const name = secretName(String(req.params.name));
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw badRequest('send a JSON object: {"value": "<secret>", "scope": "global" | "repo:owner/name"}');
    }
    const { value, scope: bodyScope, ...rest } = body as Record<string, unknown>;
    const problems: string[] = [];
    if (Object.keys(rest).length > 0) problems.push(`unknown field ${Object.keys(rest).map((k) => `'${k}'`).join(', ')} (fields: value, scope)`);
    if (typeof value !== 'string') problems.push("'value' must be a string");
    else if (value.length < MIN_SECRET_LENGTH) problems.push(`'value' must be at least ${MIN_SECRET_LENGTH} characters: shorter values cannot be masked in logs`);
    else if (Buffer.byteLength(value) > MAX_SECRET_BYTES) problems.push(`'value' must be at most ${MAX_SECRET_BYTES} bytes`);
    if (bodyScope !== undefined && typeof bodyScope !== 'string') problems.push("'scope' must be a string: global or repo:owner/name");
    if (problems.length > 0) throw badRequest(problems.join('; '), { problems });
    const scope = scopeOf(req, ['repo'], bodyScope as string | undefined);
    await ctx.secrets.put(name, scope, value as string);
    res.status(204).end();
  });

  app.get('/api/secrets', async (req, res) => {
    const filter = req.query.repo !== undefined || req.query.scope !== undefined ? scopeOf(req, ['repo', 'scope']) : undefined;
    const secrets = await ctx.secrets.list(filter);
    res.json({ secrets: secrets.map(({ name, scope, updatedAt }) => ({ name, scope, updatedAt })) });
  });

  app.delete('/api/secrets/:name', async (req, res) => {
    const name = secretName(String(req.params.name));
    const scope = scopeOf(req, ['repo', 'scope']);
    if (!(await ctx.secrets.remove(name, scope))) throw notFound(`no secret '${name}' in scope ${scope}; list them with pistages secrets list`);
    res.status(204).end();
  });
}

function secretName(name: string): string {
  assertSecretName(name);
  return name;
}

/** the scope from `?repo=owner/name`, `?scope=...` or the body's `scope`; default `global` */
function scopeOf(req: Request, allowedKeys: string[], bodyScope?: string): string {
  assertKnownKeys(req.query, allowedKeys);
  const repo = repoName(single(req.query, 'repo'), 'repo');
  const given = [repo === undefined ? undefined : `repo:${repo}`, single(req.query, 'scope'), bodyScope].filter((s) => s !== undefined);
  if (new Set(given).size > 1) throw badRequest(`conflicting scopes ${given.join(' and ')}; give one`);
  const scope = given[0] ?? GLOBAL_SCOPE;
  assertSecretScope(scope);
  return scope;
}
