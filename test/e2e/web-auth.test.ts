import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, TOKEN, type Harness } from '../support/api-harness.ts';

/** Login, session cookie flags, CSRF and read-only mode, over plain HTTP (no browser needed). */
describe('web pages: login, cookies and CSRF', () => {
  let h: Harness;
  let runId: string;
  before(async () => {
    h = await startHarness();
    const res = await h.request('POST', '/api/runs', { yaml: 'name: Waits\nimage: alpine\nrun: echo hi\n' });
    runId = res.body.id;
  });
  after(async () => {
    await h?.close();
  });

  const login = (token: string, extra: { headers?: Record<string, string>; next?: string; url?: string } = {}) =>
    fetch(`${extra.url ?? h.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...extra.headers },
      body: new URLSearchParams({ token, next: extra.next ?? '/' }).toString(),
    });
  const session = async (url = h.url): Promise<{ cookie: string; csrf: string }> => {
    const res = await login(TOKEN, { url });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const html = await (await fetch(`${url}/runs/${runId}`, { headers: { cookie } })).text();
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(html)?.[1] ?? '';
    assert.ok(cookie.startsWith('pistages_session=') && csrf !== '');
    return { cookie, csrf };
  };

  it('sends visitors without a session to the login form, and never takes a token in the URL', async () => {
    const page = await fetch(`${h.url}/runs/${runId}`, { redirect: 'manual', headers: { accept: 'text/html' } });
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), `/login?next=${encodeURIComponent(`/runs/${runId}`)}`);
    const stream = await fetch(`${h.url}/ui/runs/${runId}/events`);
    assert.equal(stream.status, 401);
    const form = await (await fetch(`${h.url}/login`)).text();
    assert.match(form, /<form method="post" action="\/login"/);
    const viaQuery = await fetch(`${h.url}/?token=${TOKEN}`, { redirect: 'manual', headers: { accept: 'text/html' } });
    assert.equal(viaQuery.status, 303, 'a token in the query string logs nobody in');
  });

  it('refuses a wrong token and sets an HttpOnly, SameSite=Strict cookie for the right one', async () => {
    const wrong = await login('not-the-token-at-all-000');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
    const right = await login(TOKEN, { next: `/runs/${runId}` });
    assert.equal(right.status, 303);
    assert.equal(right.headers.get('location'), `/runs/${runId}`);
    const cookie = right.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^pistages_session=v1\.[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    assert.doesNotMatch(cookie, /Secure/, 'plain HTTP: a Secure cookie would never come back');
    const proxied = await login(TOKEN, { headers: { 'x-forwarded-proto': 'https' } });
    assert.match(proxied.headers.get('set-cookie') ?? '', /; Secure$/);
    const offsite = await login(TOKEN, { next: '//evil.example/x' });
    assert.equal(offsite.headers.get('location'), '/');
  });

  it('accepts PISTAGES_UI_TOKEN as well', async () => {
    const app = await h.startApp({}, { PISTAGES_UI_TOKEN: 'viewers-token-0123456789abcd' });
    try {
      const res = await login('viewers-token-0123456789abcd', { url: app.url });
      assert.equal(res.status, 303);
    } finally {
      await app.close();
    }
  });

  it('rejects a forged cookie', async () => {
    const { cookie } = await session();
    const forged = cookie.replace(/v1\.(\d+)/, (_m, exp: string) => `v1.${Number(exp) + 1}`);
    const res = await fetch(`${h.url}/`, { redirect: 'manual', headers: { cookie: forged, accept: 'text/html' } });
    assert.equal(res.status, 303);
  });

  it('mutations need the session, its CSRF token and the same origin', async () => {
    const { cookie, csrf } = await session();
    const cancel = (headers: Record<string, string>) => fetch(`${h.url}/ui/runs/${runId}/cancel`, { method: 'POST', headers });
    assert.equal((await cancel({ cookie })).status, 403, 'no CSRF token');
    assert.equal((await cancel({ cookie, 'x-csrf-token': 'x'.repeat(43) })).status, 403, 'wrong CSRF token');
    assert.equal((await cancel({ cookie, 'x-csrf-token': csrf, origin: 'http://evil.example' })).status, 403, 'another origin');
    assert.equal((await cancel({ 'x-csrf-token': csrf })).status, 401, 'no session');
    const ok = await cancel({ cookie, 'x-csrf-token': csrf, origin: h.url });
    assert.equal(ok.status, 202);
    assert.equal((await h.stores.runs.get(runId))?.status, 'cancelled');
  });

  it('logs out only from a page (CSRF) and clears the cookie', async () => {
    const { cookie, csrf } = await session();
    const post = (body: string) => fetch(`${h.url}/logout`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body });
    assert.equal((await post('')).status, 403);
    const out = await post(`_csrf=${encodeURIComponent(csrf)}`);
    assert.equal(out.status, 303);
    assert.match(out.headers.get('set-cookie') ?? '', /^pistages_session=; .*Max-Age=0/);
  });

  it('serves pages with a strict content security policy and no framing', async () => {
    const { cookie } = await session();
    const res = await fetch(`${h.url}/`, { headers: { cookie } });
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
  });

  it('answers an unknown run with an HTML page for people and JSON for programs', async () => {
    const { cookie } = await session();
    const missing = `${h.url}/runs/${'f'.repeat(24)}`;
    const page = await fetch(missing, { headers: { cookie, accept: 'text/html' } });
    assert.equal(page.status, 404);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /<p role="alert">no run with id f{24}/);
    const json = await fetch(missing, { headers: { cookie, accept: 'application/json' } });
    assert.equal(json.status, 404);
    assert.equal(((await json.json()) as { error: string }).error, 'not_found');
  });

  it('read-only mode shows pages to anyone but keeps mutations behind the login', async () => {
    const app = await h.startApp({}, { PISTAGES_UI_PUBLIC: 'read' });
    try {
      const page = await fetch(`${app.url}/runs/${runId}`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.doesNotMatch(html, /id="rerun"/);
      assert.match(html, /Log in<\/a> to re-run or cancel/);
      assert.equal((await fetch(`${app.url}/ui/runs/${runId}/rerun`, { method: 'POST' })).status, 401);
    } finally {
      await app.close();
    }
  });
});
