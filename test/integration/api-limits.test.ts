import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../support/api-harness.ts';

/**
 * The operator's maxima (PISTAGES_MAX_*) at the API: a job asking for more is answered 422 with an
 * issue at the value that names the variable, and nothing is stored or queued. The harness's app runs
 * with the defaults (16g, 32768 pids, 6h), a second one on the same stores with other maxima.
 */
let h: Harness;

before(async () => {
  h = await startHarness();
});

after(async () => {
  await h?.close();
});

interface Issue {
  file: string;
  line: number;
  col: number;
  message: string;
}

async function storedRuns(): Promise<number> {
  return (await h.stores.runs.list({}, { limit: 500 })).runs.length;
}

/** submits `yaml`, expects 422, and that no run was stored or queued; returns the issues */
async function refused(yaml: string, baseUrl?: string): Promise<Issue[]> {
  const [runs, queued] = [await storedRuns(), h.queue.ids.length];
  const res = await h.request('POST', '/api/runs', { yaml, ...(baseUrl !== undefined && { baseUrl }) });
  assert.equal(res.status, 422, res.text);
  assert.equal(res.body.error, 'invalid_job');
  assert.equal(await storedRuns(), runs, 'nothing is stored');
  assert.equal(h.queue.ids.length, queued, 'nothing is queued');
  return res.body.details.issues as Issue[];
}

describe('operator maxima on submitted jobs', () => {
  test('memory above PISTAGES_MAX_MEMORY: 422 at resources.memory, naming the maximum and the variable', async () => {
    const issues = await refused('name: Big\nimage: alpine:3.20\nresources:\n  memory: 99999g\nrun: make\n');
    assert.deepEqual(issues, [
      {
        file: 'job.yaml',
        line: 4,
        col: 11,
        message: "resources.memory is 99999g, more than this server's maximum of 16g (PISTAGES_MAX_MEMORY); ask for less",
      },
    ]);
  });

  test('pids above PISTAGES_MAX_PIDS and a step timeout above PISTAGES_MAX_TIMEOUT are each reported', async () => {
    const yaml = 'name: Many\nimage: alpine:3.20\nuses:\n  main:\n    - run: make\n      timeout: 7h\n      resources: {pids: 40000}\n';
    const issues = await refused(yaml);
    assert.deepEqual(
      issues.map((i) => [i.line, i.col]),
      [
        [6, 16],
        [7, 25],
      ],
    );
    assert.match(issues[0]?.message ?? '', /^timeout is 7h, more than this server's maximum of 6h \(PISTAGES_MAX_TIMEOUT\)/);
    assert.match(issues[1]?.message ?? '', /^resources\.pids is 40000, more than this server's maximum of 32768 \(PISTAGES_MAX_PIDS\)/);
  });

  test('cpus above PISTAGES_MAX_CPUS (set by the operator), also in an action sent with the job', async () => {
    const strict = await h.startApp({}, { PISTAGES_MAX_CPUS: '2' });
    try {
      const action = { file: 'actions/heavy.yaml', yaml: 'name: Heavy\nimage: alpine:3.20\nresources: {cpus: 3}\nrun: make\n' };
      const [runs, queued] = [await storedRuns(), h.queue.ids.length];
      const res = await h.request('POST', '/api/runs', {
        baseUrl: strict.url,
        json: { yaml: 'name: Uses heavy\nuses:\n  main:\n    - dep: Heavy\n', file: 'job.yaml', actions: [action] },
      });
      assert.equal(res.status, 422, res.text);
      assert.deepEqual(res.body.details.issues, [
        {
          file: 'actions/heavy.yaml',
          line: 3,
          col: 19,
          message: "resources.cpus of action 'Heavy' is 3, more than this server's maximum of 2 (PISTAGES_MAX_CPUS); ask for less",
        },
      ]);
      assert.equal(await storedRuns(), runs, 'nothing is stored');
      assert.equal(h.queue.ids.length, queued);
      const fits = await h.request('POST', '/api/runs', { baseUrl: strict.url, yaml: 'name: Fits\nimage: alpine:3.20\nresources: {cpus: 2}\nrun: make\n' });
      assert.equal(fits.status, 201, fits.text);
    } finally {
      await strict.close();
    }
  });

  test('a job file above PISTAGES_MAX_JOB_SIZE is refused before parsing, naming the variable', async () => {
    const small = await h.startApp({}, { PISTAGES_MAX_JOB_SIZE: '2kb' });
    try {
      const yaml = `name: Long\nimage: alpine:3.20\nrun: echo ${'x'.repeat(3000)}\n`;
      const issues = await refused(yaml, small.url);
      assert.equal(issues.length, 1);
      assert.match(issues[0]?.message ?? '', /^the file is .* more than this server's maximum of 2k \(PISTAGES_MAX_JOB_SIZE\); make it smaller/);
    } finally {
      await small.close();
    }
  });

  test('a rerun of a run whose limits now exceed the maxima is refused, naming the variable', async () => {
    const lenient = await h.startApp({}, { PISTAGES_MAX_MEMORY: 'off' });
    const strictJob = 'name: Was fine\nimage: alpine:3.20\nresources: {memory: 20g}\nrun: make\n';
    let id: string;
    try {
      const res = await h.request('POST', '/api/runs', { baseUrl: lenient.url, yaml: strictJob });
      assert.equal(res.status, 201, res.text);
      id = res.body.id as string;
    } finally {
      await lenient.close();
    }
    await h.stores.runs.finish(id, 'success', 'done', new Date());
    const [runs, queued] = [await storedRuns(), h.queue.ids.length];
    const rerun = await h.request('POST', `/api/runs/${id}/rerun`);
    assert.equal(rerun.status, 422, rerun.text);
    assert.match(rerun.body.details.issues[0].message, /resources\.memory is 20g, more than this server's maximum of 16g \(PISTAGES_MAX_MEMORY\)/);
    assert.equal(await storedRuns(), runs);
    assert.equal(h.queue.ids.length, queued);

    // a repository's run keeps its plan: that plan is checked against today's maxima
    const original = await h.stores.runs.get(id);
    assert.ok(original);
    const forge = await h.stores.runs.create({ ...original, source: 'push', forge: 'github', repo: 'acme/app', sha: 'a'.repeat(40) });
    await h.stores.runs.finish(forge.id, 'failure', 'failed', new Date());
    const again = await h.request('POST', `/api/runs/${forge.id}/rerun`);
    assert.equal(again.status, 422, again.text);
    assert.match(again.body.details.issues[0].message, /resources\.memory of step 'make' \(group 'main'\) is 20g, .*PISTAGES_MAX_MEMORY.*start a new run/);
  });
});
