import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { hashApiToken, roleAllows, TOKEN_PREFIX } from '../../store/api-token-rules.ts';
import type { ApiTokenStore, TokenRole } from '../../store/store.ts';
import { HttpError } from '../http-error.ts';
import { ROLE_ABILITIES, roleFor } from '../route-roles.ts';

/** Who sent a request: the admin token of the config, or a stored token. */
export interface Principal {
  /** `PISTAGES_API_TOKEN`, or the stored token's name */
  name: string;
  role: TokenRole;
  /** repositories whose scoped secrets its runs receive (an admin: every repository) */
  repos: string[];
}

export const ADMIN_TOKEN_NAME = 'PISTAGES_API_TOKEN';
const TOUCH_INTERVAL_MS = 60_000;

export interface AuthDeps {
  /** PISTAGES_API_TOKEN: always admin */
  adminToken: string;
  tokens: Pick<ApiTokenStore, 'findByHash' | 'touch'>;
  now: () => Date;
  log: Pick<Logger, 'warn'>;
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/**
 * Bearer-token check for every `/api` route, then the role the route needs (route-roles.ts). The
 * admin token is compared in constant time (both sides hashed first); a stored token (`pst_...`) is
 * looked up by its SHA-256 hash, so the token itself is never stored nor compared.
 */
export function requireToken(deps: AuthDeps): RequestHandler {
  const admin = digest(deps.adminToken);
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const sent = match?.[1];
    let principal: Principal | undefined;
    if (sent !== undefined && timingSafeEqual(digest(sent), admin)) {
      principal = { name: ADMIN_TOKEN_NAME, role: 'admin', repos: [] };
    } else if (sent?.startsWith(TOKEN_PREFIX) === true) {
      const record = await deps.tokens.findByHash(hashApiToken(sent));
      if (record !== null) {
        principal = { name: record.name, role: record.role, repos: record.repos };
        const now = deps.now();
        if (record.lastUsedAt === undefined || now.getTime() - record.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS) {
          // bookkeeping only: a failed write must not refuse a valid token
          await deps.tokens.touch(record.name, now).catch((err: unknown) => deps.log.warn({ err, token: record.name }, 'could not record the use of an API token'));
        }
      }
    }
    if (principal === undefined) {
      next(new HttpError(401, 'unauthorized', 'send Authorization: Bearer <token>: the server\'s PISTAGES_API_TOKEN, or a token made with `pistages tokens create` (a revoked token no longer works)'));
      return;
    }
    res.locals.principal = principal;
    const needed = roleFor(req.method, req.baseUrl + req.path);
    next(roleAllows(principal.role, needed) ? undefined : forbidden(principal, needed));
  };
}

function forbidden(principal: Principal, needed: TokenRole): HttpError {
  return new HttpError(
    403,
    'forbidden',
    `this token (${principal.name}) may only ${ROLE_ABILITIES[principal.role]}; this needs role ${needed}: create a token with role ${needed}: pistages tokens create NAME --role ${needed}`,
    { role: principal.role, needed },
  );
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
