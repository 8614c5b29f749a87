import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed session cookies for the web pages: `v1.<expires ms>.<nonce>.<mac>`, an HMAC under a key
 * derived from the login token, so sessions need no storage, survive restarts, work across server
 * replicas and all end when the token changes. The CSRF token of a session is another HMAC of its
 * nonce: pages embed it, and every mutation must send it back (a cross-site form cannot read it).
 */

export const SESSION_COOKIE = 'pistages_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface Session {
  nonce: string;
  expiresAt: number;
  csrf: string;
}

export interface Sessions {
  issue(now: number): { cookie: string; session: Session };
  /** the session of a cookie value, or undefined when forged, malformed or expired */
  verify(cookie: string | undefined, now: number): Session | undefined;
  /** constant-time comparison of a submitted CSRF token with the session's */
  csrfMatches(session: Session, submitted: string | undefined): boolean;
  /** constant-time check of a login token against the accepted ones */
  tokenAccepted(submitted: string): boolean;
}

export function createSessions(tokens: string[]): Sessions {
  if (tokens.length === 0) throw new Error('the web pages need a login token: set PISTAGES_API_TOKEN or PISTAGES_UI_TOKEN');
  const key = createHash('sha256').update(`pistages-ui-session\u0000${tokens.join('\u0000')}`).digest();
  const mac = (text: string): string => createHmac('sha256', key).update(text).digest('base64url');
  const digests = tokens.map((t) => createHash('sha256').update(t).digest());
  const session = (nonce: string, expiresAt: number): Session => ({ nonce, expiresAt, csrf: mac(`csrf.${nonce}`) });
  return {
    issue(now) {
      const nonce = randomBytes(18).toString('base64url');
      const expiresAt = now + SESSION_TTL_MS;
      const body = `v1.${expiresAt}.${nonce}`;
      return { cookie: `${body}.${mac(body)}`, session: session(nonce, expiresAt) };
    },
    verify(cookie, now) {
      const parts = cookie?.split('.');
      if (parts?.length !== 4 || parts[0] !== 'v1') return undefined;
      const [, expires = '', nonce = '', signature = ''] = parts;
      if (!equal(signature, mac(`v1.${expires}.${nonce}`))) return undefined;
      const expiresAt = Number(expires);
      if (!Number.isSafeInteger(expiresAt) || expiresAt <= now) return undefined;
      return session(nonce, expiresAt);
    },
    csrfMatches: (s, submitted) => submitted !== undefined && equal(submitted, s.csrf),
    tokenAccepted(submitted) {
      const digest = createHash('sha256').update(submitted).digest();
      let ok = false;
      for (const d of digests) ok = timingSafeEqual(d, digest) || ok;
      return ok;
    },
  };
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** the value of one cookie in a Cookie header */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
