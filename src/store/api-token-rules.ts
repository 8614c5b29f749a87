import { createHash, randomBytes } from 'node:crypto';
import { isRepoName } from './secret-names.ts';
import { InvalidInputError, type ApiTokenRecord, type TokenRole } from './store.ts';

/**
 * The shapes of API tokens, shared by every ApiTokenStore and the server: a token is `pst_` and 32
 * random bytes (base64url), recognizable in a leaked file or a secret scanner; the store keeps only
 * its SHA-256 hash, so a copy of the database gives no usable token.
 */

export const TOKEN_ROLES: readonly TokenRole[] = ['read', 'submit', 'admin'];
export const TOKEN_PREFIX = 'pst_';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_REPOS = 100;

export function generateApiToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** the stored form of a token: hex SHA-256 */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function isTokenRole(value: unknown): value is TokenRole {
  return typeof value === 'string' && (TOKEN_ROLES as readonly string[]).includes(value);
}

/** Throws InvalidInputError naming the first field that is wrong and its valid form. */
export function assertTokenFields(token: Pick<ApiTokenRecord, 'name' | 'role' | 'repos'>): void {
  if (!NAME.test(token.name)) {
    throw new InvalidInputError(`token name "${token.name}" is not valid: use letters, digits, '.', '_' and '-' (not first), at most 64 characters, e.g. deploy-bot`);
  }
  if (!isTokenRole(token.role)) throw new InvalidInputError(`token role "${String(token.role)}" is not valid: use ${TOKEN_ROLES.join(', ')}`);
  if (token.repos.length > MAX_REPOS) throw new InvalidInputError(`a token lists at most ${MAX_REPOS} repositories`);
  const bad = token.repos.find((repo) => !isRepoName(repo));
  if (bad !== undefined) throw new InvalidInputError(`repository "${bad}" is not valid: use owner/name, e.g. acme/api`);
}

/** What a role allows, in order: each includes the ones before it. */
export function roleAllows(granted: TokenRole, needed: TokenRole): boolean {
  return TOKEN_ROLES.indexOf(granted) >= TOKEN_ROLES.indexOf(needed);
}
