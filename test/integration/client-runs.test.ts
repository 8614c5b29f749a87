import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOKEN, startHarness, type Harness } from '../support/api-harness.ts';
import { runClientCli, type CliResult } from '../support/client-cli.ts';

/** `submit` with the repository's and --actions' action files, and short run ids, against a running app. */
const GREET = 'name: Greet Locally\nimage: alpine\nwith:\n  who: world\nrun: echo hi {{ .who }}\n';
const TWICE = 'name: Greet Twice\nuses:\n  main:\n    - dep: Greet Locally\n    - dep: Greet Locally\n      with:\n        who: again\n';
const JOB = 'name: Uses Local\nuses:\n  a:\n    - dep: Greet Twice\n';
const EXTRA = 'name: Extra\nimage: alpine\nrun: echo extra\n';

let h: Harness;
let dir: string;

before(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'pistages-client-runs-'));
  await mkdir(join(dir, 'repo', '.git'), { recursive: true });
  await mkdir(join(dir, 'repo', '.pistages', 'actions'), { recursive: true });
  await writeFile(join(dir, 'repo', '.pistages', 'actions', 'greet.yaml'), GREET);
  await writeFile(join(dir, 'repo', '.pistages', 'actions', 'unused.yaml'), EXTRA);
  await writeFile(join(dir, 'repo', '.pistages', 'ci.yaml'), JOB);
  await mkdir(join(dir, 'more'));
  await writeFile(join(dir, 'more', 'twice.yaml'), TWICE);
});

after(async () => {
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<CliResult> {
  return runClientCli(args, { env: { PISTAGES_URL: h.url, PISTAGES_TOKEN: TOKEN } });
}

describe('submit sends the local actions the job uses', () => {
  test('.pistages/actions/ and --actions DIR, kept with the run, never registered', async () => {
    const res = await cli(['submit', join(dir, 'repo', '.pistages', 'ci.yaml'), '--actions', join(dir, 'more')]);
    assert.equal(res.code, 0, res.stderr);
    const run = await h.stores.runs.get(res.stdout.trim());
    assert.ok(run);
    assert.deepEqual(run.plan.groups[0]?.steps.map((s) => s.commands), [['echo hi world'], ['echo hi again']]);
    assert.deepEqual(run.actions?.map((a) => [a.name, a.scope]).sort(), [['Greet Locally', 'run'], ['Greet Twice', 'run']]);
    assert.equal(run.actions?.find((a) => a.name === 'Greet Locally')?.yaml, GREET);
    assert.equal(await h.stores.actions.get('Greet Locally'), null, 'run-scoped actions are not registered');
  });

  test('without the folder the server does not know the action: the error names it', async () => {
    await writeFile(join(dir, 'alone.yaml'), JOB);
    const res = await cli(['submit', join(dir, 'alone.yaml')]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^alone\.yaml:4:\d+: unknown action 'Greet Twice'/m);
  });

  test('a rerun compiles with the action files the run was sent with', async () => {
    const id = (await cli(['submit', join(dir, 'repo', '.pistages', 'ci.yaml'), '--actions', join(dir, 'more')])).stdout.trim();
    await h.stores.runs.finish(id, 'failure', 'test', new Date());
    const rerun = await cli(['rerun', id]);
    assert.equal(rerun.code, 0, rerun.stderr);
    const record = await h.stores.runs.get(rerun.stdout.trim());
    assert.deepEqual(record?.plan.groups[0]?.steps.map((s) => s.commands), [['echo hi world'], ['echo hi again']]);
    assert.equal(record?.actions?.length, 2);
  });
});

describe('run ids', () => {
  test('a unique prefix of 6+ characters works in every command; shorter or ambiguous ones say why', async () => {
    const id = (await cli(['submit', join(dir, 'repo', '.pistages', 'ci.yaml'), '--actions', join(dir, 'more')])).stdout.trim();
    const others = (await h.stores.runs.list({}, { limit: 100 })).runs.map((r) => r.id).filter((o) => o !== id);
    const length = Math.max(6, ...others.map((o) => commonPrefix(o, id) + 1));
    const short = id.slice(0, length);

    const logs = await cli(['logs', short]);
    assert.equal(logs.code, 0, logs.stderr);
    const cancel = await cli(['cancel', short]);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.equal((await h.stores.runs.get(id))?.cancelRequested, true);
    await h.stores.runs.finish(id, 'cancelled', 'test', new Date());
    const rerun = await cli(['rerun', short, '--json']);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal((await h.stores.runs.get(JSON.parse(rerun.stdout).id as string))?.rerunOf, id);

    const tooShort = await cli(['logs', id.slice(0, 5)]);
    assert.equal(tooShort.code, 1);
    assert.match(tooShort.stderr, /unique prefix of 6 or more/);
    const unknown = await cli(['logs', 'ffffff0']);
    assert.match(unknown.stderr, /no run id starts with ffffff0/);
    // runs made within the same 256 s share their first 6 characters (the ObjectId's time)
    const six = id.slice(0, 6);
    const sharing = (await h.stores.runs.list({}, { limit: 100 })).runs.filter((r) => r.id.startsWith(six));
    const byTime = await cli(['logs', six]);
    if (sharing.length > 1) assert.match(byTime.stderr, new RegExp(`run id ${six} is ambiguous: it starts ${sharing[0]?.id}`));
    else assert.equal(byTime.code, 0, byTime.stderr);
  });
});

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}
