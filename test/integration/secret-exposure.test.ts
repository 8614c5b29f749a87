import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { DockerExecutor } from '../../src/executor/docker/docker-executor.ts';
import type { LogLineEvent, RunEvent } from '../../src/executor/events.ts';
import { runJob, type RunJobOptions } from '../../src/executor/run-job.ts';
import { buildPlan, createCatalog, parseJob, type JobFile, type Plan } from '../../src/pipeline/index.ts';
import { BUSYBOX_IMAGE, ensureTestImage } from '../support/images.ts';
import { waitFor } from '../support/wait.ts';

/**
 * What `docker inspect` and the container's own processes can see of a run's secrets, on the real
 * engine (network none, local images only): secrets and credentials go only to the exec of each
 * command, never into the container's create-time environment. Also: a parameter used through
 * "$PISTAGES_PARAM_X" is data, not shell text.
 */

const docker = new Docker();
const SUITE = `sxp-${randomBytes(3).toString('hex')}`;
const SUITE_LABEL = { 'pistages.suite': SUITE };
const SECRET = `secret-${randomBytes(8).toString('hex')}`;
const GIT_TOKEN = `ghs_${randomBytes(12).toString('hex')}`;

let testRunIds: string[] = [];
let runCounter = 0;

function parsed(yaml: string, file: string): JobFile {
  const result = parseJob(yaml, file);
  assert.deepEqual(result.issues, [], `${file} is valid`);
  assert.ok(result.job);
  return result.job;
}

function planOf(yaml: string, actions: string[] = []): Plan {
  const catalog = createCatalog(actions.map((text, i) => parsed(text, `action-${i}.yaml`)));
  assert.deepEqual(catalog.issues, []);
  return buildPlan(parsed(yaml, 'job.yaml'), catalog.catalog);
}

/** Starts the run and returns at once: the test looks at the containers while the steps run. */
function startRun(plan: Plan, options: Partial<RunJobOptions> = {}) {
  const runId = `${SUITE}-r${++runCounter}`;
  testRunIds.push(runId);
  const events: RunEvent[] = [];
  const cancel = new AbortController();
  const done = runJob(plan, {
    runId,
    executor: new DockerExecutor({ docker, network: 'none', pullPolicy: 'never', labels: SUITE_LABEL }),
    onEvent: (event) => void events.push(event),
    signal: cancel.signal,
    defaultRetry: 0,
    groupConcurrency: 1,
    secrets: {},
    logCapBytes: 1024 * 1024,
    context: { PISTAGES_REPO: 'acme/app', PISTAGES_SHA: 'abc123', PISTAGES_EVENT: 'push' },
    ...options,
  });
  return { runId, events, cancel, done };
}

function lines(events: RunEvent[], step: number): string[] {
  return events.filter((e): e is LogLineEvent => e.type === 'log' && e.group === 'main' && e.step === step).map((e) => e.line);
}

/** `docker exec` in the container, as an operator would: its output, and it must succeed. */
async function dockerExec(containerId: string, cmd: string[]): Promise<string> {
  const exec = await docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  docker.modem.demuxStream(stream, out, out);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const text = Buffer.concat(chunks).toString('utf8');
  const { ExitCode } = await exec.inspect();
  assert.equal(ExitCode, 0, `${cmd.join(' ')} failed: ${text}`);
  return text;
}

async function runContainers(runId: string): Promise<string[]> {
  const found = await docker.listContainers({ filters: { label: [`pistages.run=${runId}`] } });
  return found.map((c) => c.Id);
}

async function leftovers(runId: string): Promise<{ containers: string[]; volumes: string[] }> {
  const filters = { label: [`pistages.run=${runId}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const { Volumes } = await docker.listVolumes({ filters });
  return { containers: containers.map((c) => c.Id), volumes: (Volumes ?? []).map((v) => v.Name) };
}

describe('secrets are not exposed by the container', { concurrency: false }, () => {
  before(async () => {
    await docker.ping();
    await ensureTestImage(docker, BUSYBOX_IMAGE);
  });

  afterEach(async () => {
    const ids = testRunIds;
    testRunIds = [];
    for (const runId of ids) assert.deepEqual(await leftovers(runId), { containers: [], volumes: [] }, `nothing of run ${runId} is left`);
  });

  after(async () => {
    const filters = { label: [`pistages.suite=${SUITE}`] };
    const report = (what: string) => (err: unknown) => console.log(`  could not remove leftover ${what}: ${String(err)}`);
    for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true }).catch(report(c.Id));
    for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) await docker.getVolume(v.Name).remove().catch(report(v.Name));
  });

  it('neither docker inspect nor /proc/1/environ shows a secret, yet the step sees it', async () => {
    // the first command waits (bounded) for a file the test creates once it has looked
    const plan = planOf(`
name: secret exposure ${SUITE}
image: ${BUSYBOX_IMAGE}
secrets: [S]
uses:
  main:
    - run:
        - echo $$ > /workspace/step.pid; echo waiting; i=0; while [ ! -e /workspace/go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; test -e /workspace/go
        - '[ "$S" = "${SECRET}" ] && echo ok'
        - '[ "$PISTAGES_GIT_TOKEN" = "${GIT_TOKEN}" ] && echo token-ok'
`);
    const run = startRun(plan, {
      secrets: { S: SECRET, UNUSED: 'never-given' },
      // as the worker passes the run's credentials: with the trigger context, masked
      maskValues: [GIT_TOKEN],
      context: { PISTAGES_REPO: 'acme/app', PISTAGES_SHA: 'abc123', PISTAGES_GIT_TOKEN: GIT_TOKEN },
    });
    let released = false;
    try {
      await waitFor('the step to be running', () => lines(run.events, 0).includes('waiting'), { timeoutMs: 60_000 });
      const [id] = await runContainers(run.runId);
      assert.ok(id, 'the step container is running');

      const inspected = await docker.getContainer(id).inspect();
      const shown = JSON.stringify(inspected);
      assert.ok(inspected.Config.Env.includes('PISTAGES_REPO=acme/app'), 'the create env is there, without secrets');
      assert.ok(!shown.includes(SECRET), 'docker inspect shows no secret');
      assert.ok(!shown.includes(GIT_TOKEN), 'docker inspect shows no credential');
      assert.ok(!inspected.Config.Env.some((entry) => entry.startsWith('S=') || entry.startsWith('PISTAGES_GIT_TOKEN=')));
      for (const execId of inspected.ExecIDs ?? []) {
        const exec = JSON.stringify(await docker.getExec(execId).inspect());
        assert.ok(!exec.includes(SECRET) && !exec.includes(GIT_TOKEN), `exec ${execId} shows no secret`);
      }

      const initEnv = await dockerExec(id, ['cat', '/proc/1/environ']);
      assert.match(initEnv, /PISTAGES_SHA=abc123/, 'read the environment of PID 1');
      assert.ok(!initEnv.includes(SECRET) && !initEnv.includes(GIT_TOKEN), 'PID 1 has no secret in its environment');
      // the same way of reading does find the secret where it is: in the step's own process
      const stepEnv = await dockerExec(id, ['sh', '-c', 'cat "/proc/$(cat /workspace/step.pid)/environ"']);
      assert.ok(stepEnv.split('\0').includes(`S=${SECRET}`), 'the step process has the secret');

      await dockerExec(id, ['touch', '/workspace/go']);
      released = true;
      const result = await run.done;
      assert.equal(result.status, 'success', JSON.stringify(result));
      assert.deepEqual(lines(run.events, 0), ['waiting', 'ok', 'token-ok']);
      assert.ok(!JSON.stringify(run.events).includes(SECRET), 'no event carries the secret');
    } finally {
      if (!released) {
        run.cancel.abort(new Error('test failed'));
        await run.done.catch(() => undefined);
      }
    }
  });

  it('a with: value used as "$PISTAGES_PARAM_X" is printed verbatim, never run', async () => {
    const action = `
name: Show X ${SUITE}
image: ${BUSYBOX_IMAGE}
with:
  x: default
run: printf '%s\\n' "$PISTAGES_PARAM_X"; if [ -e /tmp/pwned ]; then echo pwned; else echo not-pwned; fi
`;
    const plan = planOf(
      `
name: params ${SUITE}
uses:
  main:
    - dep: Show X ${SUITE}
      with:
        x: "\`touch /tmp/pwned\` $(touch /tmp/pwned) ; touch /tmp/pwned"
`,
      [action],
    );
    const run = startRun(plan);
    const result = await run.done;
    assert.equal(result.status, 'success', JSON.stringify(result));
    assert.deepEqual(lines(run.events, 0), ['`touch /tmp/pwned` $(touch /tmp/pwned) ; touch /tmp/pwned', 'not-pwned']);
  });
});
