/**
 * The REST operations the fake GitHub serves, each with who may call it (an App JWT, or a token
 * with the permission GitHub would require) and its handler.
 */
import type { Caller, FakeCredentials } from './fake-github-auth.ts';
import type { CheckState } from './fake-github-checks.ts';
import type { GitData, Reply } from './fake-github-git-data.ts';

export interface ServedRepo {
  fullName: string;
  defaultBranch: string;
  cloneUrl: string;
  installationId: number;
  data: GitData;
  gitDir: string;
}

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  caller: Caller;
  repo?: ServedRepo;
}

export interface FakeWorld {
  readonly credentials: FakeCredentials;
  readonly checks: CheckState;
  readonly repos: Map<string, ServedRepo>;
  readonly url: string;
}

interface Route {
  method: string;
  pattern: RegExp;
  /** `app`: an App JWT; `token`: an installation or user token (with `permission` for installation tokens) */
  auth: 'app' | 'token';
  permission?: { name: string; level: 'read' | 'write' };
  handle(world: FakeWorld, context: RouteContext): Promise<Reply> | Reply;
}

const REPO = '/repos/(?<owner>[^/]+)/(?<repo>[^/]+)';
const route = (method: string, path: string, auth: Route['auth'], handle: Route['handle'], permission?: Route['permission']): Route => ({
  method,
  pattern: new RegExp(`^${path}$`),
  auth,
  handle,
  ...(permission ? { permission } : {}),
});
const read = { name: 'contents', level: 'read' } as const;
const repoOf = (context: RouteContext): ServedRepo => context.repo as ServedRepo;

export const ROUTES: Route[] = [
  route('GET', '/app', 'app', (world, { caller }) => ({
    status: 200,
    body: { id: caller.kind === 'app' ? caller.appId : 0, slug: world.credentials.app?.slug ?? 'pistages', name: world.credentials.app?.name ?? 'Pistages' },
  })),
  route('GET', '/user', 'token', (_world, { caller }) =>
    caller.kind === 'user' ? { status: 200, body: { login: caller.login, id: 1, type: 'User' } } : { status: 403, body: { message: 'Resource not accessible by integration' } },
  ),
  route('GET', REPO, 'token', (world, context) => {
    const repo = repoOf(context);
    const [owner = '', name = ''] = repo.fullName.split('/');
    const htmlUrl = repo.cloneUrl.replace(/\.git$/, '');
    return {
      status: 200,
      body: { name, full_name: repo.fullName, owner: { login: owner }, private: true, default_branch: repo.defaultBranch, clone_url: repo.cloneUrl, html_url: htmlUrl, url: `${world.url}/repos/${repo.fullName}` },
    };
  }, { name: 'metadata', level: 'read' }),
  route('GET', `${REPO}/installation`, 'app', (_world, context) => ({ status: 200, body: { id: repoOf(context).installationId, app_id: 0 } })),
  route('POST', '/app/installations/(?<id>\\d+)/access_tokens', 'app', (world, { params, body }) => issueToken(world, Number(params.id), body)),
  route('GET', `${REPO}/git/trees/(?<sha>[^/]+)`, 'token', (_w, c) => repoOf(c).data.tree(c.params.sha as string, c.query.has('recursive')), read),
  route('GET', `${REPO}/git/blobs/(?<sha>[^/]+)`, 'token', (_w, c) => repoOf(c).data.blob(c.params.sha as string), read),
  route('GET', `${REPO}/contents(?:/(?<path>.*))?`, 'token', (_w, c) => repoOf(c).data.contents(c.params.path ?? '', c.query.get('ref') ?? undefined), read),
  route('GET', `${REPO}/commits/(?<ref>[^/]+)/check-runs`, 'token', async (world, c) => {
    const sha = await repoOf(c).data.resolveCommit(c.params.ref as string);
    return sha ? world.checks.listCheckRuns(repoOf(c).fullName, sha, c.query) : { status: 404, body: { message: 'Not Found' } };
  }, { name: 'checks', level: 'read' }),
  route('GET', `${REPO}/commits/(?<ref>[^/]+)`, 'token', (_w, c) => repoOf(c).data.commit(c.params.ref as string), read),
  route('GET', `${REPO}/compare/(?<basehead>[^/]+)`, 'token', (_w, c) => repoOf(c).data.compare(c.params.basehead as string), read),
  route('POST', `${REPO}/statuses/(?<sha>[^/]+)`, 'token', (world, c) => world.checks.createStatus(repoOf(c).fullName, c.params.sha as string, c.body), {
    name: 'statuses',
    level: 'write',
  }),
  route('POST', `${REPO}/check-runs`, 'token', (world, c) => world.checks.createCheckRun(repoOf(c).fullName, c.body), { name: 'checks', level: 'write' }),
  route('PATCH', `${REPO}/check-runs/(?<id>\\d+)`, 'token', (world, c) => world.checks.updateCheckRun(repoOf(c).fullName, Number(c.params.id), c.body), {
    name: 'checks',
    level: 'write',
  }),
];

/** The route for a request, with its decoded path parameters. */
export function findRoute(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const candidate of ROUTES) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    const params = Object.fromEntries(Object.entries(match.groups ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [k, decodeURIComponent(v)]));
    return { route: candidate, params };
  }
  return undefined;
}

/** Why GitHub would refuse this caller on this route, as a reply; undefined when allowed. */
export function refuse(route: Route, caller: Caller, repo: ServedRepo | undefined): Reply | undefined {
  const unauthorized = (message: string): Reply => ({ status: 401, body: { message, documentation_url: 'https://docs.github.com/rest' } });
  if (caller.kind === 'invalid') return unauthorized(caller.reason);
  if (route.auth === 'app') {
    return caller.kind === 'app' ? undefined : unauthorized('A JSON web token could not be decoded');
  }
  if (caller.kind === 'anonymous') return unauthorized('Requires authentication');
  if (caller.kind === 'app') return { status: 403, body: { message: 'Resource not accessible by integration (an App JWT cannot call this endpoint)' } };
  if (caller.kind !== 'installation') return undefined;
  const token = caller.token;
  if (repo && (repo.installationId !== token.installationId || (token.repositories && !token.repositories.includes(repo.fullName.split('/')[1] as string)))) {
    return { status: 404, body: { message: 'Not Found' } };
  }
  // every installation token can read metadata, whatever else it was limited to
  const granted = route.permission && token.permissions ? (token.permissions[route.permission.name] ?? (route.permission.name === 'metadata' ? 'read' : undefined)) : 'write';
  if (route.permission && !(granted === 'write' || (granted === 'read' && route.permission.level === 'read'))) {
    return { status: 403, body: { message: 'Resource not accessible by integration' } };
  }
  return undefined;
}

/** Why `git clone` of `repo` is refused to this caller (basic auth x-access-token:<token>); undefined when allowed. */
export function cloneRefusal(caller: Caller, repo: ServedRepo): Reply | undefined {
  if (caller.kind === 'user') return undefined;
  if (caller.kind !== 'installation') return { status: 401, body: 'Authentication required: x-access-token:<token>\n' };
  const token = caller.token;
  const allowed = token.installationId === repo.installationId && (!token.repositories || token.repositories.includes(repo.fullName.split('/')[1] as string));
  return allowed ? undefined : { status: 404, body: 'Repository not found.\n' };
}

function issueToken(world: FakeWorld, installationId: number, body: Record<string, unknown>): Reply {
  const installed = [...world.repos.values()].filter((r) => r.installationId === installationId);
  if (installed.length === 0) return { status: 404, body: { message: 'Not Found' } };
  const repositories = Array.isArray(body.repositories) ? (body.repositories as string[]) : undefined;
  const names = installed.map((r) => r.fullName.split('/')[1]);
  if (repositories?.some((name) => !names.includes(name))) {
    return { status: 422, body: { message: 'There is at least one repository that does not exist or is not accessible to the parent installation.' } };
  }
  const permissions = body.permissions as Record<string, string> | undefined;
  const issued = world.credentials.issue(installationId, { ...(repositories ? { repositories } : {}), ...(permissions ? { permissions } : {}) });
  return {
    status: 201,
    body: {
      token: issued.token,
      expires_at: issued.expiresAt.toISOString(),
      permissions: permissions ?? { contents: 'read', checks: 'write', statuses: 'write', metadata: 'read' },
      repository_selection: repositories ? 'selected' : 'all',
      ...(repositories ? { repositories: repositories.map((name) => ({ name, full_name: installed.find((r) => r.fullName.endsWith(`/${name}`))?.fullName })) } : {}),
    },
  };
}
