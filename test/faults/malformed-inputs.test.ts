import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { githubWorld, type GithubWorld } from '../support/github-world.ts';
import { API_TOKEN, startPistages, WEBHOOK_SECRET, type PistagesServer } from '../support/github-server.ts';
import { BUSYBOX_IMAGE } from '../support/images.ts';
import { waitFor } from '../support/wait.ts';
import { pushPayload } from '../support/webhook-payloads.ts';
import { ZERO_SHA } from '../support/git-fixture.ts';

/**
 * Malformed inputs: job files (alias bombs, deep nesting, huge scalars, NUL bytes, tabs, invalid
 * UTF-8, duplicate keys, wrong types), API requests (bad JSON, wrong content types, huge headers,
 * bad run ids and query parameters) and webhook deliveries. Each must get a 4xx whose message says
 * what to fix (never a stack, never a 500), or for a signed webhook a delivery recorded as failed
 * with why; /healthz must answer after every one, and nothing may be stored half-way.
 * Prints a table per category.
 */
type Category = 'job YAML' | 'API request' | 'webhook';

interface Answer {
  status: number;
  text: string;
  message: string;
}

interface Input {
  category: Category;
  name: string;
  send(): Promise<Answer>;
  /** the status expected */
  status: number;
  /** what the message must say (what to fix) */
  says: RegExp;
  /** a signed delivery answered 202: it must be recorded as failed, with why, and start no run */
  recorded?: 'failed';
  deliveryId?: string;
}

const STACK = /\n\s+at |node_modules|\.ts:\d+:\d+|\bError: /;
const CATEGORIES: Category[] = ['job YAML', 'API request', 'webhook'];
const table: string[] = [];

describe('malformed inputs', () => {
  let world: GithubWorld;
  let server: PistagesServer;
  let payload: Record<string, unknown>;

  before(async () => {
    world = await githubWorld();
    const created = await world.git.repo('acme/malformed', { '.pistages/job.yaml': `name: Job\nimage: ${BUSYBOX_IMAGE}\nrun: echo hi\n` });
    await world.fake.addRepo(created.repo, { installationId: 3 });
    // no worker: what is stored is counted, nothing executes
    server = await startPistages(world, { worker: false, env: { PISTAGES_BODY_LIMIT: '256kb', PISTAGES_MAX_JOB_SIZE: '128kb' } });
    payload = (await pushPayload(created.repo, { before: ZERO_SHA, after: created.sha, cloneUrl: world.fake.cloneUrl(created.repo.fullName), installationId: 3 })) as Record<string, unknown>;
  });

  after(async () => {
    await server?.close();
    await world?.dispose();
    console.log(['', `${'category'.padEnd(14)} ${'inputs'.padStart(6)}  ${'refused: 4xx or failed record'.padStart(29)}  ${'stored half-way'.padStart(15)}  ${'server down'.padStart(11)}`, ...table].join('\n'));
  });

  const answer = async (res: Response): Promise<Answer> => {
    const text = await res.text();
    let message = '';
    try {
      message = String((JSON.parse(text) as { message?: unknown }).message ?? '');
    } catch {
      message = '';
    }
    return { status: res.status, text, message };
  };
  const send = async (method: string, path: string, init: { headers?: Record<string, string>; body?: string | Uint8Array; token?: string | null } = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token !== null) headers.authorization = `Bearer ${init.token ?? API_TOKEN}`;
    return answer(await fetch(`${server.url}${path}`, { method, headers, ...(init.body !== undefined && { body: init.body }) }));
  };
  const job = (body: string | Uint8Array): Promise<Answer> => send('POST', '/api/runs', { headers: { 'content-type': 'application/yaml' }, body });
  const action = (body: string): Promise<Answer> => send('POST', '/api/actions', { headers: { 'content-type': 'application/yaml' }, body });
  const json = (path: string, body: string): Promise<Answer> => send('POST', path, { headers: { 'content-type': 'application/json' }, body });
  const deliver = async (body: string, headers: Record<string, string>): Promise<Answer> =>
    answer(await fetch(`${server.url}/webhooks/github`, { method: 'POST', headers, body }));
  const sign = (body: string, secret = WEBHOOK_SECRET): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const delivery = (body: string, headers: Record<string, string> = {}, id = `malformed-${Math.random().toString(36).slice(2)}`): Record<string, string> => ({
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': id,
    'x-hub-signature-256': sign(body),
    ...headers,
  });

  const valid = `name: Valid\nimage: ${BUSYBOX_IMAGE}\nrun: echo hi\n`;
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');

  const corpus = (): Input[] => {
    const yaml = (name: string, body: string | Uint8Array, status: number, says: RegExp): Input => ({ category: 'job YAML', name, send: () => job(body), status, says });
    const api = (name: string, sendIt: () => Promise<Answer>, status: number, says: RegExp): Input => ({ category: 'API request', name, send: sendIt, status, says });
    const hook = (name: string, body: string, headers: Record<string, string>, status: number, says: RegExp, recorded?: 'failed'): Input => ({
      category: 'webhook', name, send: () => deliver(body, headers), status, says, ...(recorded && { recorded, deliveryId: headers['x-github-delivery'] as string }),
    });
    const good = JSON.stringify(payload);
    return [
      yaml('billion laughs (alias bomb)', `${laughs}\nname: Bomb\nimage: x\nrun: echo hi\n`, 422, /alias/i),
      yaml('alias to an undefined anchor', `name: *nothing\nimage: x\nrun: echo\n`, 422, /alias|anchor/i),
      yaml('10,000 nested lists', `name: Deep\nimage: x\nrun: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`, 422, /run/i),
      yaml('10,000 nested maps', `name: Deep\nimage: x\nwith: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\nrun: echo\n`, 422, /with|YAML/),
      yaml('a 200 KB scalar (over the job size limit)', `name: Huge\nimage: x\nrun: echo ${'x'.repeat(200_000)}\n`, 422, /PISTAGES_MAX_JOB_SIZE/),
      yaml('NUL bytes in a command', `name: Nul\nimage: x\nrun: echo \u0000\u0000\n`, 400, /NUL character/),
      yaml('NUL byte in a key', `name: Nul\nima\u0000ge: x\nrun: echo\n`, 400, /NUL character/),
      yaml('tab indentation', `name: Tabs\nimage: x\nuses:\n\tmain:\n\t\t- run: echo\n`, 422, /tab/i),
      yaml('invalid UTF-8', Buffer.concat([Buffer.from('name: Bad\nimage: x\nrun: echo '), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('\n')]), 400, /not valid UTF-8/),
      yaml('duplicate keys', 'name: One\nname: Two\nimage: x\nrun: echo\n', 422, /duplicate|name/i),
      yaml('name is a list', 'name: [1, 2]\nimage: x\nrun: echo\n', 422, /name/),
      yaml('run is a map', 'name: Map\nimage: x\nrun: {a: b}\n', 422, /run/),
      yaml('retry is text', 'name: R\nimage: x\nretry: many\nrun: echo\n', 422, /retry/),
      yaml('retry is negative', 'name: R\nimage: x\nretry: -1\nrun: echo\n', 422, /retry/),
      yaml('timeout is not a duration', 'name: T\nimage: x\ntimeout: forever\nrun: echo\n', 422, /timeout/),
      yaml('image is a number', 'name: I\nimage: 5\nrun: echo\n', 422, /image/),
      yaml('uses is a string', 'name: U\nimage: x\nuses: main\n', 422, /uses/),
      yaml('env is a list', 'name: E\nimage: x\nenv: [A, B]\nrun: echo\n', 422, /env/),
      yaml('with holds a map value', 'name: W\nimage: x\nwith:\n  a: {b: c}\nrun: echo\n', 422, /with|a/),
      yaml('unknown key', 'name: K\nimage: x\nrunn: echo\n', 422, /runn|did you mean/i),
      yaml('run and uses together', 'name: B\nimage: x\nrun: echo\nuses:\n  main:\n    - run: echo\n', 422, /run|uses/),
      yaml('a step with dep and run', 'name: D\nimage: x\nuses:\n  main:\n    - dep: Something\n      run: echo\n', 422, /dep|run/),
      yaml('an unclosed template', 'name: T\nimage: x\nrun: echo {{ .x\n', 422, /template|\{\{/i),
      yaml('an empty file', '', 422, /empty|name/i),
      yaml('only a comment', '# nothing here\n', 422, /empty|name/i),
      yaml('two documents', `${valid}---\n${valid}`, 422, /document/i),
      yaml('a scalar document', 'just a string\n', 422, /map|object|mapping/i),
      yaml('a binary tag', 'name: N\nimage: !!binary aGVsbG8=\nrun: echo\n', 422, /`image` must be an image name/),
      yaml('a 50,000-character key', `name: K\nimage: x\n${'k'.repeat(50_000)}: 1\nrun: echo\n`, 422, /key|unknown|did you mean|long/i),
      yaml('a job with no image anywhere', 'name: NoImage\nrun: echo\n', 422, /image/),
      yaml('a step naming an unknown action', 'name: A\nimage: x\nuses:\n  main:\n    - dep: Nonexistent Action\n', 422, /Nonexistent Action|action/),
      { category: 'job YAML', name: 'an action file with an alias bomb', send: () => action(`${laughs}\nname: Bomb\nimage: x\nrun: echo\n`), status: 422, says: /alias/i },
      { category: 'job YAML', name: 'a job whose actions depend on each other', send: () => json('/api/runs', JSON.stringify({
        yaml: 'name: Cycle\nimage: x\nuses:\n  main:\n    - dep: Ping\n',
        actions: [{ file: 'ping.yaml', yaml: 'name: Ping\nimage: x\nuses:\n  main:\n    - dep: Pong\n' }, { file: 'pong.yaml', yaml: 'name: Pong\nimage: x\nuses:\n  main:\n    - dep: Ping\n' }],
      })), status: 422, says: /Ping → Pong → Ping|cycle/ },
      yaml('a template naming a missing parameter', 'name: P\nimage: x\nrun: echo {{ .missing }}\n', 422, /missing/),
      yaml('a step output reference to an unknown step', 'name: O\nimage: x\nuses:\n  main:\n    - run: echo {{ .steps.nope.outputs.x }}\n', 422, /nope/),

      api('JSON that does not parse', () => json('/api/runs', '{"yaml": '), 400, /JSON/),
      api('JSON with yaml as a number', () => json('/api/runs', '{"yaml": 5}'), 400, /yaml/),
      api('JSON array body', () => json('/api/runs', '[1, 2]'), 400, /object|yaml/i),
      api('with as a string', () => json('/api/runs', JSON.stringify({ yaml: valid, with: 'x' })), 400, /with/),
      api('with holding an object', () => json('/api/runs', JSON.stringify({ yaml: valid, with: { a: { b: 1 } } })), 400, /with/),
      api('actions as a map', () => json('/api/runs', JSON.stringify({ yaml: valid, actions: { 'a.yaml': 'x' } })), 400, /actions/),
      api('JSON with invalid UTF-8', () => send('POST', '/api/runs', { headers: { 'content-type': 'application/json' }, body: Buffer.concat([Buffer.from('{"yaml": "name: X\\nimage: x\\nrun: echo '), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]) }), 400, /not valid UTF-8/),
      api('an unknown JSON field', () => json('/api/runs', JSON.stringify({ yaml: valid, yml: 'x' })), 400, /yml/),
      api('text/plain body', () => send('POST', '/api/runs', { headers: { 'content-type': 'text/plain' }, body: valid }), 415, /content.type|application\/(yaml|json)/i),
      api('no content type', () => send('POST', '/api/runs', { body: valid }), 415, /content.type|application\/(yaml|json)/i),
      api('a body over the limit', () => json('/api/runs', JSON.stringify({ yaml: `${valid}# ${'x'.repeat(300_000)}` })), 413, /PISTAGES_BODY_LIMIT|limit|large/i),
      api('an unknown content encoding', () => send('POST', '/api/runs', { headers: { 'content-type': 'application/yaml', 'content-encoding': 'compress' }, body: valid }), 415, /Content-Encoding is not supported/),
      api('a corrupt gzip body', () => send('POST', '/api/runs', { headers: { 'content-type': 'application/yaml', 'content-encoding': 'gzip' }, body: 'not gzip at all' }), 400, /gzip/),
      api('no token', () => send('GET', '/api/runs', { token: null }), 401, /token|Authorization/i),
      api('a wrong token', () => send('GET', '/api/runs', { token: 'wrong-token-0123456789abcdef' }), 401, /token/i),
      api('a run id that is not hex', () => send('GET', '/api/runs/not-a-run'), 400, /run id/),
      api('a run id one character too long', () => send('GET', `/api/runs/${'a'.repeat(25)}`), 400, /run id/),
      api('an unknown run id', () => send('GET', `/api/runs/${'a'.repeat(24)}`), 404, /run|found/i),
      api('a run id that does not decode', () => send('GET', '/api/runs/%FF'), 400, /percent|encod/i),
      api('cancel of an unknown run', () => send('POST', `/api/runs/${'b'.repeat(24)}/cancel`), 404, /run|found/i),
      api('limit is negative', () => send('GET', '/api/runs?limit=-1'), 400, /limit/),
      api('limit is text', () => send('GET', '/api/runs?limit=many'), 400, /limit/),
      api('limit is huge', () => send('GET', '/api/runs?limit=100000000'), 400, /limit/),
      api('status is unknown', () => send('GET', '/api/runs?status=done'), 400, /status/),
      api('since is not a date', () => send('GET', '/api/runs?since=yesterday'), 400, /since/),
      api('an unknown query parameter', () => send('GET', '/api/runs?colour=blue'), 400, /colour/),
      api('a query parameter given twice', () => send('GET', '/api/runs?limit=1&limit=2'), 400, /limit/),
      api('a malformed cursor', () => send('GET', '/api/runs?cursor=%%%'), 400, /cursor|percent|encod/i),
      api('log step is text', () => send('GET', `/api/runs/${'c'.repeat(24)}/logs?step=first`), 400, /step/),
      api('log format is unknown', () => send('GET', `/api/runs/${'c'.repeat(24)}/logs?format=xml`), 400, /format/),
      api('a 64 KB header', async () => {
        const res = await fetch(`${server.url}/api/runs`, { headers: { authorization: `Bearer ${API_TOKEN}`, 'x-filler': 'x'.repeat(64 * 1024) } }).catch((err: unknown) => err);
        // Node answers 431 itself, with no body: the status is what to fix (a smaller header)
        return res instanceof Response ? { status: res.status, text: await res.text(), message: 'Request Header Fields Too Large' } : { status: 0, text: String(res), message: String(res) };
      }, 431, /Header Fields Too Large/),

      hook('no signature', good, { ...delivery(good), 'x-hub-signature-256': '' }, 401, /GITHUB_WEBHOOK_SECRET|signature/i),
      hook('signature of another secret', good, delivery(good, { 'x-hub-signature-256': sign(good, 'another-secret-0123456789') }), 401, /GITHUB_WEBHOOK_SECRET|signature/i),
      hook('body changed after signing', `${good} `, delivery(good), 401, /signature/i),
      hook('no event header', good, Object.fromEntries(Object.entries(delivery(good)).filter(([k]) => k !== 'x-github-event')), 400, /X-GitHub-Event|event/i),
      hook('a delivery id with a path', good, delivery(good, {}, '../../etc/passwd'), 400, /delivery/i),
      hook('form-encoded', `payload=${encodeURIComponent(good)}`, delivery(`payload=${encodeURIComponent(good)}`, { 'content-type': 'application/x-www-form-urlencoded' }), 415, /JSON|content.type/i),
      hook('JSON that does not parse', '{"ref": ', delivery('{"ref": '), 400, /JSON/),
      hook('a body over the limit', JSON.stringify({ ...payload, pad: 'x'.repeat(30 * 1024 * 1024) }), delivery(JSON.stringify({ ...payload, pad: 'x'.repeat(30 * 1024 * 1024) })), 413, /limit|large/i),
      hook('a prototype-polluting payload', '{"__proto__": {"polluted": true}, "ref": "refs/heads/main"}', delivery('{"__proto__": {"polluted": true}, "ref": "refs/heads/main"}'), 202, /'after' should be a non-empty string/, 'failed'),
      hook('a push whose repository is a string', JSON.stringify({ ...payload, repository: 'acme/malformed' }), delivery(JSON.stringify({ ...payload, repository: 'acme/malformed' })), 202, /'repository' should be an object/, 'failed'),
      hook('a push whose after is not a sha', JSON.stringify({ ...payload, after: 'not-a-sha; rm -rf /' }), delivery(JSON.stringify({ ...payload, after: 'not-a-sha; rm -rf /' })), 202, /'after' should be a commit sha/, 'failed'),
    ];
  };

  const count = async (): Promise<Record<string, number>> => {
    const db = server.mongo.client.db(server.mongo.dbName);
    const names = ['runs', 'actions', 'action_versions', 'secrets', 'queue'];
    return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await db.collection(n).countDocuments()] as const)));
  };
  const healthy = async (): Promise<boolean> => fetch(`${server.url}/healthz`).then((res) => res.ok, () => false);

  it('answers each malformed input with a 4xx saying what to fix, stores nothing half-way, and keeps answering /healthz', async (t) => {
    const inputs = corpus();
    assert.ok(inputs.length >= 50, `${inputs.length} inputs`);
    const wrong: string[] = [];
    const rows = new Map(CATEGORIES.map((c) => [c, { inputs: 0, answered: 0, halfway: 0, down: 0 }]));
    for (const input of inputs) {
      const row = rows.get(input.category) as { inputs: number; answered: number; halfway: number; down: number };
      row.inputs++;
      const before = await count();
      const got = await input.send();
      if (process.env.MALFORMED_DISCOVER) t.diagnostic(`${input.category} | ${input.name} | ${got.status} | ${got.message.slice(0, 300)}`);
      // a signed delivery answered 202 says what was wrong on its record (checked below)
      const ok = got.status === input.status && (input.recorded !== undefined || input.says.test(got.message)) && !STACK.test(got.text);
      if (ok) row.answered++;
      else wrong.push(`${input.category}: ${input.name}: ${got.status} ${got.text.slice(0, 300)}`);
      if (!(await healthy())) {
        row.down++;
        wrong.push(`${input.name}: /healthz failed after it`);
      }
      const changed = Object.entries(await count()).filter(([name, n]) => n !== before[name]).map(([name]) => name);
      if (changed.length > 0) {
        row.halfway++;
        wrong.push(`${input.name}: stored something in ${changed.join(', ')}`);
      }
      if (input.recorded === 'failed') {
        const id = input.deliveryId as string;
        const record = await waitFor(`${input.name}: its delivery to be processed`, async () => {
          const found = await server.services.deliveries.get(id);
          return found && found.outcome !== 'received' ? found : undefined;
        }, { timeoutMs: 60_000, intervalMs: 100 });
        if (record.outcome !== 'failed' || !input.says.test(record.reason ?? '') || record.runIds.length > 0) {
          wrong.push(`${input.name}: recorded ${record.outcome} (${record.reason ?? ''}) with runs ${record.runIds.join(',')}`);
        } else if (process.env.MALFORMED_DISCOVER) t.diagnostic(`  recorded failed: ${record.reason}`);
      }
    }
    for (const [category, row] of rows) {
      table.push(`${category.padEnd(14)} ${String(row.inputs).padStart(6)}  ${String(row.answered).padStart(29)}  ${String(row.halfway).padStart(15)}  ${String(row.down).padStart(11)}`);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
    assert.deepEqual(wrong, []);
  });
});
