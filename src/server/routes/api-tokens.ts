import type { Express } from 'express';
import { generateApiToken, hashApiToken, isTokenRole, TOKEN_ROLES } from '../../store/api-token-rules.ts';
import { isRepoName } from '../../store/secret-names.ts';
import { ConflictError, type ApiTokenRecord, type TokenRole } from '../../store/store.ts';
import type { ServerContext } from '../context.ts';
import { badRequest, conflict, notFound } from '../http-error.ts';
import { acceptBody } from '../middleware/body.ts';
import { principalOf } from '../middleware/auth.ts';
import { assertKnownKeys } from '../query.ts';
import { ROLE_ABILITIES } from '../route-roles.ts';

/**
 * API tokens: `POST /api/tokens` answers the new token once (only its hash is kept), `GET` lists them
 * without hashes, `DELETE /api/tokens/:name` revokes one at once. `GET /api/whoami` says what the
 * sending token may do. Roles per route: route-roles.ts.
 */
export function registerTokenRoutes(app: Express, ctx: ServerContext): void {
  app.get('/api/whoami', (req, res) => {
    assertKnownKeys(req.query, []);
    const { name, role, repos } = principalOf(res);
    res.json({ name, role, repos, allRepos: role === 'admin', may: ROLE_ABILITIES[role] });
  });

  app.post('/api/tokens', ...acceptBody(['json'], ctx.config.bodyLimitBytes), async (req, res) => {
    assertKnownKeys(req.query, []);
    const { name, role, repos } = tokenRequest(req.body);
    const token = generateApiToken();
    let record: ApiTokenRecord;
    try {
      record = await ctx.tokens.create({ name, role, repos, createdBy: principalOf(res).name }, hashApiToken(token));
    } catch (error) {
      if (error instanceof ConflictError) throw conflict(error.message, { name });
      throw error;
    }
    ctx.log.info({ token: name, role, repos, by: record.createdBy }, 'api token created');
    res.status(201).json({ ...view(record), token });
  });

  app.get('/api/tokens', async (req, res) => {
    assertKnownKeys(req.query, []);
    res.json({ tokens: (await ctx.tokens.list()).map(view) });
  });

  app.delete('/api/tokens/:name', async (req, res) => {
    assertKnownKeys(req.query, []);
    const name = String(req.params.name);
    if (!(await ctx.tokens.remove(name))) throw notFound(`no token named '${name}'; list them with pistages tokens list`);
    ctx.log.info({ token: name, by: principalOf(res).name }, 'api token revoked');
    res.status(204).end();
  });
}

function tokenRequest(body: unknown): { name: string; role: TokenRole; repos: string[] } {
  const shape = 'send a JSON object: {"name": "deploy-bot", "role": "read" | "submit" | "admin", "repos": ["owner/name"]}';
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(shape);
  const { name, role, repos = [], ...rest } = body as Record<string, unknown>;
  const problems: string[] = [];
  if (Object.keys(rest).length > 0) problems.push(`unknown field ${Object.keys(rest).map((k) => `'${k}'`).join(', ')} (fields: name, role, repos)`);
  if (typeof name !== 'string' || name === '') problems.push("'name' must be a non-empty string");
  if (!isTokenRole(role)) problems.push(`'role' must be one of ${TOKEN_ROLES.join(', ')}`);
  if (!Array.isArray(repos) || repos.some((r) => typeof r !== 'string' || !isRepoName(r))) problems.push("'repos' must be a list of repositories as owner/name");
  if (problems.length > 0) throw badRequest(problems.join('; '), { problems });
  return { name: name as string, role: role as TokenRole, repos: [...new Set(repos as string[])] };
}

function view(record: ApiTokenRecord) {
  return {
    name: record.name,
    role: record.role,
    repos: record.repos,
    createdAt: record.createdAt,
    createdBy: record.createdBy,
    lastUsedAt: record.lastUsedAt ?? null,
  };
}
