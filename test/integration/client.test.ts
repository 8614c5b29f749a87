import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/mongo.ts';
import { TOKEN, startHarness, type Harness } from '../support/api-harness.ts';
import { runClientCli, type CliResult } from '../support/client-cli.ts';

/**
 * The client commands against a running app. They run in-process through a commander program with
 * injected stdio/env (fast, and every output is captured); when src/cli/index.ts registers them, a
 * few also run as a real child process.
 */
const CLONE = 'name: Clone Repo, Pistages if omitted\ndescription: clones\nimage: alpine/git\nrun: git clone {{ .repo }} .\nwith:\n  repo: https://example.com/x.git\n';
const HELLO = 'name: Hello\nimage: alpine\nrun: echo hello {{ .who }}\nwith:\n  who: world\n';
const SECRET_VALUE = 'client-side-secret-value';

let h: Harness;
let dir: string;

before(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'pistages-client-'));
  await writeFile(join(dir, 'clone.yaml'), CLONE);
  await writeFile(join(dir, 'hello.yaml'), HELLO);
  await writeFile(join(dir, 'bad.yaml'), 'name: Bad\n  image: alpine\nrun: x\n');
});

after(async () => {
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function cli(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
  return runClientCli(args, { env: { PISTAGES_URL: h.url, PISTAGES_TOKEN: TOKEN, ...options.env }, ...(options.stdin !== undefined && { stdin: options.stdin }) });
}

/** plays the worker for the next run queued after `count` ids: logs a line, then ends with `status` */
async function finishNextRun(count: number, status: 'success' | 'failure', line: string): Promise<string> {
  while (h.queue.ids.length <= count) await new Promise((resolve) => setTimeout(resolve, 10));
  const id = h.queue.ids[count] as string;
  await h.stores.runs.claim(id, 'test-worker', 60_000, new Date());
  await h.stores.runs.apply({ type: 'group', runId: id, group: 'main', attempt: 1, status: 'running', at: new Date() });
  await h.stores.runs.apply({ type: 'step', runId: id, group: 'main', step: 0, stepName: 'echo hello world', attempt: 1, status: 'running', at: new Date() });
  await h.stores.logs.append([{ type: 'log', runId: id, group: 'main', step: 0, attempt: 1, seq: 0, stream: 'stdout', line, at: new Date() }]);
  const exitCode = status === 'success' ? 0 : 3;
  await h.stores.runs.apply({ type: 'step', runId: id, group: 'main', step: 0, stepName: 'echo hello world', attempt: 1, status, exitCode, at: new Date() });
  await h.stores.runs.apply({ type: 'group', runId: id, group: 'main', attempt: 1, status, at: new Date() });
  await h.stores.runs.apply({ type: 'run', runId: id, status, at: new Date() });
  return id;
}

describe('actions', () => {
  test('register, conflict, --replace, list, show, rm', async () => {
    const registered = await cli(['actions', 'register', join(dir, 'clone.yaml')]);
    assert.equal(registered.code, 0, registered.stderr);
    assert.equal(registered.stdout, "registered 'Clone Repo, Pistages if omitted' (version 1)\n");

    const conflict = await cli(['actions', 'register', join(dir, 'clone.yaml')]);
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /^error: action 'Clone Repo, Pistages if omitted' is already registered; send \?replace=true .*--replace/);

    const replaced = await cli(['actions', 'register', '--replace', '--json', join(dir, 'clone.yaml')]);
    assert.deepEqual(JSON.parse(replaced.stdout), { actions: [{ name: 'Clone Repo, Pistages if omitted', version: 2 }] });

    const list = await cli(['actions', 'list']);
    assert.match(list.stdout, /^NAME\s+VERSION\s+UPDATED\s+DESCRIPTION\nClone Repo, Pistages if omitted\s+2\s+\d{4}-\d{2}-\d{2} [\d:]+\s+clones\n$/);

    const shown = await cli(['actions', 'show', 'Clone Repo, Pistages if omitted']);
    assert.equal(shown.stdout, CLONE);

    await cli(['actions', 'register', join(dir, 'hello.yaml')]);
    assert.equal((await cli(['actions', 'rm', 'Hello'])).stdout, "removed 'Hello'\n");
    const gone = await cli(['actions', 'show', 'Hello']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no action named 'Hello'/);
  });
});

describe('runs', () => {
  test('submit prints the id; runs lists it; --json for scripts', async () => {
    const submitted = await cli(['submit', join(dir, 'hello.yaml'), '--with', 'who=client']);
    assert.equal(submitted.code, 0, submitted.stderr);
    const id = submitted.stdout.trim();
    assert.match(id, /^[0-9a-f]{24}$/);
    assert.equal((await h.stores.runs.get(id))?.params.who, 'client');

    const table = await cli(['runs', '--job', 'Hello', '--limit', '5']);
    assert.match(table.stdout, /^ID\s+STATUS\s+JOB\s+SOURCE\s+REPO\s+BRANCH\s+CREATED\n/);
    assert.ok(table.stdout.includes(id));
    const json = await cli(['runs', '--job', 'Hello', '--status', 'queued', '--json']);
    assert.ok(JSON.parse(json.stdout).runs.some((r: { id: string }) => r.id === id));

    const bad = await cli(['runs', '--status', 'done']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /status must be one of/);
  });

  test('an invalid job prints file:line:col: message per problem and exits 2, as run does', async () => {
    const res = await cli(['submit', join(dir, 'bad.yaml')]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^bad\.yaml:2:\d+: .*align/m);
    assert.equal(res.stdout, '');
  });

  test('submit --follow prints what pistages run prints and exits 0 only on success', async () => {
    const ok = cli(['submit', join(dir, 'hello.yaml'), '--follow']);
    await finishNextRun(h.queue.ids.length, 'success', 'hello client');
    const success = await ok;
    assert.equal(success.code, 0, success.stderr);
    const lines = success.stdout.split('\n');
    const started = lines.findIndex((l) => /^main\/echo hello world ▶ echo hello world$/.test(l));
    const logged = lines.findIndex((l) => /^main\/echo hello world │ hello client$/.test(l));
    const finished = lines.findIndex((l) => /^main\/echo hello world success [\d.]+s$/.test(l));
    assert.ok(started >= 0 && started < logged && logged < finished, success.stdout);
    assert.match(success.stdout, /^GROUP\s+STEP\s+STATUS\s+DURATION\s+ATTEMPT\nmain\s+echo hello world\s+success\s+[\d.]+s\s+1$/m);
    assert.match(success.stdout, /^Job success in [\d.]+s$/m);

    const failing = cli(['submit', join(dir, 'hello.yaml'), '--follow', '--json']);
    await finishNextRun(h.queue.ids.length, 'failure', 'boom');
    const failure = await failing;
    assert.equal(failure.code, 1);
    const events = failure.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; status?: string; line?: string });
    assert.deepEqual(events.map((e) => e.type === 'step' ? `step ${e.status}` : e.type === 'log' ? `log ${e.line}` : `${e.type} ${e.status ?? ''}`.trim()).filter((e) => !e.startsWith('queued')),
      ['step running', 'log boom', 'step failure', 'end failure']);
  });

  test('logs, cancel, rerun --failed', async () => {
    const count = h.queue.ids.length;
    const id = (await cli(['submit', join(dir, 'hello.yaml')])).stdout.trim();
    await finishNextRun(count, 'failure', 'it broke');

    const logs = await cli(['logs', id]);
    assert.equal(logs.stdout, '[main/echo hello world#1] it broke\n');
    const filtered = await cli(['logs', id, '--group', 'other']);
    assert.equal(filtered.code, 2);
    assert.equal(filtered.stderr, `error: run ${id} has no group 'other'; its groups: main\n`);
    const followed = await cli(['logs', id, '--follow']);
    assert.equal(followed.code, 1, 'the run failed');
    assert.match(followed.stdout, /▶ echo hello world\n.*│ it broke\n.*failure exit code 3/s);
    assert.match(followed.stdout, /^Job failure in [\d.]+s$/m);

    const cancel = await cli(['cancel', id]);
    assert.equal(cancel.code, 1);
    assert.match(cancel.stderr, /already finished \(failure\)/);

    const rerun = await cli(['rerun', id, '--failed']);
    assert.equal(rerun.code, 0, rerun.stderr);
    const rerunId = rerun.stdout.trim();
    const record = await h.stores.runs.get(rerunId);
    assert.equal(record?.rerunOf, id);
    assert.deepEqual(record?.onlyGroups, ['main']);

    const cancelled = await cli(['cancel', rerunId]);
    assert.equal(cancelled.stdout, `cancel requested for run ${rerunId}\n`);
  });
});

describe('secrets', () => {
  test('set from stdin or --value-env, list without values, rm', async () => {
    const fromStdin = await cli(['secrets', 'set', 'NPM_TOKEN'], { stdin: `${SECRET_VALUE}\n` });
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.equal(fromStdin.stdout, 'stored secret NPM_TOKEN (global)\n');
    const resolved = await h.stores.secrets.resolve(['NPM_TOKEN'], undefined);
    assert.equal(resolved.NPM_TOKEN, SECRET_VALUE, 'the final newline of stdin is not part of the value');

    const fromEnv = await cli(['secrets', 'set', 'NPM_TOKEN', '--repo', 'acme/api', '--value-env', 'MY_VALUE'], { env: { MY_VALUE: `${SECRET_VALUE}-repo` } });
    assert.equal(fromEnv.stdout, 'stored secret NPM_TOKEN (repo:acme/api)\n');

    const missing = await cli(['secrets', 'set', 'X_Y', '--value-env', 'NOPE']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NOPE is not set/);
    const empty = await cli(['secrets', 'set', 'X_Y'], { stdin: '\n' });
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /empty/);

    const list = await cli(['secrets', 'list']);
    assert.match(list.stdout, /NPM_TOKEN\s+global/);
    assert.match(list.stdout, /NPM_TOKEN\s+repo:acme\/api/);
    const json = await cli(['secrets', 'list', '--json', '--repo', 'acme/api']);
    assert.deepEqual(JSON.parse(json.stdout).secrets.map((s: { scope: string }) => s.scope), ['repo:acme/api']);
    assert.ok(!list.stdout.includes(SECRET_VALUE) && !json.stdout.includes(SECRET_VALUE));

    assert.equal((await cli(['secrets', 'rm', 'NPM_TOKEN', '--repo', 'acme/api'])).code, 0);
    const again = await cli(['secrets', 'rm', 'NPM_TOKEN', '--repo', 'acme/api']);
    assert.equal(again.code, 1);
  });
});

describe('errors a user can act on', () => {
  test('server unreachable', async () => {
    const port = await freePort();
    const res = await cli(['runs'], { env: { PISTAGES_URL: `http://127.0.0.1:${port}` } });
    assert.equal(res.code, 1);
    assert.match(res.stderr, new RegExp(`^error: cannot reach Pistages at http://127.0.0.1:${port}: .*; is \`pistages serve\` running\\? set PISTAGES_URL`));
  });

  test('missing or wrong token', async () => {
    const wrong = await cli(['runs'], { env: { PISTAGES_TOKEN: 'not-the-token-at-all' } });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /refused the API token: set PISTAGES_TOKEN/);
    const io = await cli(['actions', 'list'], { env: { PISTAGES_TOKEN: '' } });
    assert.match(io.stderr, /no API token: set PISTAGES_TOKEN/);
  });

  test('a bad PISTAGES_URL is a configuration error', async () => {
    const res = await cli(['runs'], { env: { PISTAGES_URL: 'localhost:8080' } });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /PISTAGES_URL: .*http:\/\//);
  });
});

const index = new URL('../../src/cli/index.ts', import.meta.url);
const cliRegistersClient = existsSync(index) && readFileSync(index, 'utf8').includes('registerClientCommands');

describe('as a child process', { skip: cliRegistersClient ? false : 'src/cli/index.ts does not register the client commands yet' }, () => {
  function spawnCli(args: string[], stdin = ''): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', index.pathname, ...args], {
        env: { ...process.env, PISTAGES_URL: h.url, PISTAGES_TOKEN: TOKEN },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(stdin);
    });
  }

  test('submit, runs --json, secrets set from stdin', async () => {
    const submitted = await spawnCli(['submit', join(dir, 'hello.yaml'), '--with', 'who=child']);
    assert.equal(submitted.code, 0, submitted.stderr);
    const id = submitted.stdout.trim();
    const runs = await spawnCli(['runs', '--job', 'Hello', '--json']);
    assert.ok(JSON.parse(runs.stdout).runs.some((r: { id: string }) => r.id === id));
    const secret = await spawnCli(['secrets', 'set', 'CHILD_TOKEN'], 'from-a-pipe\n');
    assert.equal(secret.code, 0, secret.stderr);
    assert.equal((await h.stores.secrets.resolve(['CHILD_TOKEN'], undefined)).CHILD_TOKEN, 'from-a-pipe');
    const bad = await spawnCli(['submit', join(dir, 'bad.yaml')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^bad\.yaml:2:\d+: /m);
  });
});
