import type { TokenRole } from '../store/store.ts';

/**
 * The role each `/api` route needs, in one table. A route not listed here needs `admin`, so a new
 * route is closed to `read` and `submit` tokens until it is listed. Express matches paths without
 * regard to case or a trailing slash, and serves HEAD with GET handlers: the patterns do the same.
 */
export interface RouteRole {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: RegExp;
  role: TokenRole;
}

const ID = '[^/]+';

export const ROUTE_ROLES: readonly RouteRole[] = [
  { method: 'GET', path: route('/api/whoami'), role: 'read' },
  { method: 'GET', path: route('/api/runs'), role: 'read' },
  { method: 'GET', path: route(`/api/runs/${ID}`), role: 'read' },
  { method: 'GET', path: route(`/api/runs/${ID}/logs`), role: 'read' },
  { method: 'GET', path: route('/api/actions'), role: 'read' },
  { method: 'GET', path: route(`/api/actions/${ID}`), role: 'read' },
  { method: 'GET', path: route('/api/deliveries'), role: 'read' },
  { method: 'GET', path: route(`/api/deliveries/${ID}`), role: 'read' },
  { method: 'POST', path: route('/api/runs'), role: 'submit' },
  { method: 'POST', path: route(`/api/runs/${ID}/cancel`), role: 'submit' },
  { method: 'POST', path: route(`/api/runs/${ID}/rerun`), role: 'submit' },
  { method: 'POST', path: route('/api/actions'), role: 'admin' },
  { method: 'DELETE', path: route(`/api/actions/${ID}`), role: 'admin' },
  { method: 'GET', path: route('/api/secrets'), role: 'admin' },
  { method: 'PUT', path: route(`/api/secrets/${ID}`), role: 'admin' },
  { method: 'DELETE', path: route(`/api/secrets/${ID}`), role: 'admin' },
  { method: 'GET', path: route('/api/tokens'), role: 'admin' },
  { method: 'POST', path: route('/api/tokens'), role: 'admin' },
  { method: 'DELETE', path: route(`/api/tokens/${ID}`), role: 'admin' },
];

/** the role `method path` needs (path as the request has it, without the query) */
export function roleFor(method: string, path: string, table: readonly RouteRole[] = ROUTE_ROLES): TokenRole {
  const verb = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  return table.find((entry) => entry.method === verb && entry.path.test(path))?.role ?? 'admin';
}

/** What a token of each role may do, for messages and `GET /api/whoami`. */
export const ROLE_ABILITIES: Record<TokenRole, string> = {
  read: 'read runs, logs, actions and deliveries',
  submit: 'read, and submit, cancel and re-run runs',
  admin: 'do everything: also register actions, manage secrets and tokens',
};

function route(path: string): RegExp {
  return new RegExp(`^${path}/?$`, 'i');
}
