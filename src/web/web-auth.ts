import type { Request, RequestHandler, Response } from 'express';
import { HttpError } from '../server/http-error.ts';
import { readCookie, SESSION_COOKIE, type Session, type Sessions } from './session.ts';

/** Who is looking at a page: a logged-in user (may mutate) or, in read-only mode, an anonymous viewer. */
export interface Viewer {
  session: Session | undefined;
  canWrite: boolean;
}

export function viewerOf(res: Response): Viewer {
  return res.locals.viewer as Viewer;
}

/**
 * Resolves the viewer from the session cookie. Pages without a viewer redirect to the login form
 * (JSON and streams answer 401); with `PISTAGES_UI_PUBLIC=read` anyone may read.
 */
export function identify(sessions: Sessions, publicRead: boolean, now: () => Date): RequestHandler {
  return (req, res, next) => {
    const session = sessions.verify(readCookie(req.get('cookie'), SESSION_COOKIE), now().getTime());
    if (session === undefined && !publicRead) {
      if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html' && !req.path.startsWith('/ui/')) {
        res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
        return;
      }
      next(new HttpError(401, 'unauthorized', 'log in at /login first'));
      return;
    }
    res.locals.viewer = { session, canWrite: session !== undefined } satisfies Viewer;
    next();
  };
}

/**
 * Mutations: a logged-in session, the session's CSRF token in `X-CSRF-Token`, and, when the browser
 * sends an Origin, the same origin. SameSite=Strict already keeps the cookie off cross-site requests;
 * the token is the second line for browsers or proxies that do not honour it.
 */
export function requireWriter(sessions: Sessions): RequestHandler {
  return (req, res, next) => {
    const { session } = viewerOf(res);
    if (session === undefined) {
      next(new HttpError(401, 'unauthorized', 'log in at /login to re-run or cancel runs'));
      return;
    }
    if (!sameOrigin(req) || !sessions.csrfMatches(session, req.get('x-csrf-token'))) {
      next(new HttpError(403, 'csrf', 'the request did not come from a Pistages page (missing or wrong X-CSRF-Token); reload the page and try again'));
      return;
    }
    next();
  };
}

export function sameOrigin(req: Request): boolean {
  const origin = req.get('origin');
  if (origin === undefined || origin === 'null') return origin === undefined;
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}

/** Secure when the browser talks HTTPS to us, directly or through a proxy that says so. */
export function cookieFlags(req: Request, maxAgeSeconds: number): string {
  const secure = req.secure || req.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
  return `Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}
