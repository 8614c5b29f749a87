import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { ServerContext } from '../server/context.ts';
import { HttpError } from '../server/http-error.ts';
import { COMMON_SCRIPT } from './assets/common-script.ts';
import { PISTAGES_CSS } from './assets/pistages-css.ts';
import { RUN_PAGE_SCRIPT } from './assets/run-page-script.ts';
import { registerPageRoutes } from './page-routes.ts';
import { createSessions, readCookie, SESSION_COOKIE, SESSION_TTL_MS } from './session.ts';
import { registerWebApiRoutes } from './web-api-routes.ts';
import { cookieFlags, identify, requireWriter, sameOrigin } from './web-auth.ts';
import { html, page } from './views/html.ts';
import { loginPage } from './views/login-page.ts';

const ASSETS: Record<string, { type: string; body: string }> = {
  'pistages.css': { type: 'text/css; charset=utf-8', body: PISTAGES_CSS },
  'common.js': { type: 'text/javascript; charset=utf-8', body: COMMON_SCRIPT },
  'run-page.js': { type: 'text/javascript; charset=utf-8', body: RUN_PAGE_SCRIPT },
};

/** Pages are same-origin only: no framing, no third-party anything (the UI works offline). */
const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
  });
  next();
};

/**
 * The web pages at `/` with their assets, the login form and the page API (`/ui/...`). Logging in
 * takes PISTAGES_UI_TOKEN or the API token in a POST body (never a URL) and sets a signed session
 * cookie; mutations need that session and its CSRF token.
 */
export function registerWebRoutes(app: Express, ctx: ServerContext): void {
  const tokens = [ctx.config.uiToken, ctx.config.apiToken].filter((t): t is string => t !== undefined);
  const sessions = createSessions(tokens);
  const now = () => ctx.now().getTime();
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  const safeNext = (value: unknown): string => (typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/');

  app.get('/assets/:file', (req, res, next) => {
    const asset = ASSETS[req.params.file];
    if (asset === undefined) {
      next();
      return;
    }
    res.set('Cache-Control', 'no-cache').type(asset.type).send(asset.body);
  });

  app.get('/login', securityHeaders, (req, res) => {
    res.type('html').send(page({ title: 'Log in', section: 'login', loggedIn: false, csrf: undefined, body: loginPage(safeNext(req.query.next), undefined) }));
  });
  app.post('/login', securityHeaders, form, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    if (!sameOrigin(req) || typeof body.token !== 'string' || !sessions.tokenAccepted(body.token)) {
      ctx.log.warn({ ip: req.ip }, 'web login refused');
      res.status(401).type('html').send(page({ title: 'Log in', section: 'login', loggedIn: false, csrf: undefined, body: loginPage(next, 'That token is not accepted. Use PISTAGES_UI_TOKEN or PISTAGES_API_TOKEN of this server.') }));
      return;
    }
    const { cookie } = sessions.issue(now());
    res.set('Set-Cookie', `${SESSION_COOKIE}=${cookie}; ${cookieFlags(req, SESSION_TTL_MS / 1000)}`).redirect(303, next);
  });
  app.post('/logout', securityHeaders, form, (req, res) => {
    const session = sessions.verify(readCookie(req.get('cookie'), SESSION_COOKIE), now());
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (session !== undefined && (!sameOrigin(req) || !sessions.csrfMatches(session, typeof body._csrf === 'string' ? body._csrf : undefined))) {
      res.status(403).json({ error: 'csrf', message: 'log out from a Pistages page' });
      return;
    }
    res.set('Set-Cookie', `${SESSION_COOKIE}=; ${cookieFlags(req, 0)}`).redirect(303, '/login');
  });

  const read = identify(sessions, ctx.config.uiPublic === 'read', ctx.now);
  registerPageRoutes(app, ctx, [securityHeaders, read]);
  registerWebApiRoutes(app, ctx, read, [read, requireWriter(sessions)]);
  app.use(pageErrors(ctx, sessions));
}

const PAGE_PATH = /^\/(runs\/[^/]+|actions(\/[^/]+)?|deliveries)?$/;

/** A page a person asked for and that failed on their side (unknown run, bad id) answers HTML; the rest goes on to the JSON error handler. */
function pageErrors(ctx: ServerContext, sessions: ReturnType<typeof createSessions>): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (!(err instanceof HttpError) || err.status >= 500 || req.method !== 'GET' || !PAGE_PATH.test(req.path) || req.accepts(['json', 'html']) !== 'html') {
      next(err);
      return;
    }
    const session = sessions.verify(readCookie(req.get('cookie'), SESSION_COOKIE), ctx.now().getTime());
    const body = html`<h1>${err.status === 404 ? 'Not found' : 'Cannot show this page'}</h1><p role="alert">${err.message}</p><p><a href="/">All runs</a></p>`;
    res.status(err.status).type('html').send(page({ title: 'Error', section: 'runs', loggedIn: session !== undefined, csrf: session?.csrf, body }));
  };
}
