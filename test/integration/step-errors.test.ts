import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DockerExecutor } from '../../src/executor/docker/docker-executor.ts';
import { ExecutorError } from '../../src/executor/executor.ts';
import { formatIssue, parseJob } from '../../src/pipeline/index.ts';
import { IMAGE, startWorld, type World } from '../support/worker-world.ts';

/**
 * What a job did wrong fails its step once, with the reason; it is never taken for a fault of the
 * container engine, which re-queues the run (and would run a deploy step again). Real FerretDB
 * (or MONGODB_URI), real Docker with network none.
 */
let world: World;

before(async () => {
  world = await startWorld();
  // quick engine retries: a misclassified error would show as more starts within the test's wait
  await world.startWorker({ workerId: 'w-step-errors', engineRetryBaseMs: 50, engineRetryMaxMs: 100 });
});

after(async () => {
  await world.close();
});

const FINAL = ['success', 'failure', 'error', 'cancelled', 'timed_out'] as const;

const deployJob = (writeOutputs: string): string => `name: deploy
image: ${IMAGE}
retry: 0
uses:
  main:
    - id: deploy
      run: 'echo DEPLOY START; ${writeOutputs}'
    - run: echo AFTER
`;

async function linesOf(runId: string): Promise<string[]> {
  return (await world.stores.logs.read(runId, {})).map((l) => l.line);
}

describe('errors caused by the job (real engine)', () => {
  const cases: [string, string, RegExp][] = [
    ['a line without =', 'echo no-equals-sign >> "$PISTAGES_OUTPUT"', /line 1 of \$PISTAGES_OUTPUT is not key=value/],
    ['2 MB of outputs', 'printf "v=%02097150d" 0 > "$PISTAGES_OUTPUT"', /\$PISTAGES_OUTPUT holds 2097152 bytes, over the 1048576-byte limit/],
  ];
  for (const [what, writeOutputs, reason] of cases) {
    test(`a succeeded step with ${what} in $PISTAGES_OUTPUT fails once with the reason; the run is not re-queued`, async () => {
      const id = await world.submit(deployJob(writeOutputs));
      const run = await world.waitForStatus(id, [...FINAL]);
      assert.equal(run.status, 'error', run.message);
      assert.equal(run.starts, 1, `started ${run.starts} times: ${run.message ?? ''}`);
      assert.doesNotMatch(run.message ?? '', /retrying|gave up/);
      const steps = run.groups[0]?.attempts.map((a) => a.steps.map((s) => s.status));
      assert.deepEqual(steps, [['error', 'skipped']], 'one attempt: the step failed, the next was skipped');
      assert.match(run.groups[0]?.attempts[0]?.steps[0]?.message ?? '', reason);
      const lines = await linesOf(id);
      assert.equal(lines.filter((l) => l === 'DEPLOY START').length, 1, lines.join('\n'));
      assert.ok(lines.some((l) => reason.test(l)), `the reason is in the step's log:\n${lines.join('\n')}`);
      assert.deepEqual(await world.containersOf(id), []);
    });
  }

  test('a command longer than Linux execs fails its step once, naming the size', async () => {
    // a step output rendered into the command makes it longer than the job file could
    const yaml = `name: long
image: ${IMAGE}
retry: 0
uses:
  main:
    - id: make
      run: printf "text=%0140000d" 0 >> "$PISTAGES_OUTPUT"
    - run: echo {{ .steps.make.outputs.text }}
`;
    const id = await world.submit(yaml);
    const run = await world.waitForStatus(id, [...FINAL]);
    assert.equal(run.status, 'error', run.message);
    assert.equal(run.starts, 1);
    assert.deepEqual(run.groups[0]?.attempts[0]?.steps.map((s) => s.status), ['success', 'error']);
    assert.match(run.groups[0]?.attempts[0]?.steps[1]?.message ?? '', /the command is 140005 bytes, more than the 131071 bytes Linux accepts for one command; put the script in a file/);
  });

  test('more CPUs than the engine has end the run before its first step, naming step and limit', async () => {
    const id = await world.submit(`name: cpus\nimage: ${IMAGE}\nretry: 0\nresources: {cpus: 100000}\nrun: echo never\n`);
    const run = await world.waitForStatus(id, [...FINAL]);
    assert.equal(run.status, 'error', run.message);
    assert.equal(run.starts, 1);
    assert.match(run.message ?? '', /^the job "cpus" cannot start: step "echo never" of group "main" asks for cpus: 100000, but the Docker engine of this worker has \d+ CPUs; set `resources.cpus` to at most \d+$/);
    assert.deepEqual(run.groups[0]?.attempts ?? [], [], 'no attempt was made');
    assert.ok(!(await linesOf(id)).includes('never'));
  });
});

describe('DockerExecutor: limits the engine refuses are the job\'s errors', () => {
  // what the worker's check and validation keep from happening, for callers without them
  for (const [what, resources, reason] of [
    ['create (more CPUs than the host has)', { cpus: 100000 }, /range of CPUs/i],
    ['start (a CPU quota below the kernel minimum)', { cpus: 0.001 }, /cpu/i],
    ['start (pids above the kernel maximum)', { pids: 99_999_999_999_999 }, /pids/i],
  ] as const) {
    test(`a refusal at ${what} is ExecutorError(job) with the engine's reason; no container is left`, async () => {
      const executor = new DockerExecutor({ docker: world.docker, network: 'none', pullPolicy: 'never' });
      const scope = { runId: `refused-${process.pid}-${what.length}`, job: 'j', group: 'main', attempt: 1 };
      const workspace = await executor.createWorkspace(scope);
      try {
        const started = executor.startContainer({ scope, container: 0, image: IMAGE, env: {}, resources, workspace }, new AbortController().signal);
        await assert.rejects(started, (err: unknown) => {
          assert.ok(err instanceof ExecutorError, String(err));
          assert.equal(err.kind, 'job', err.message);
          assert.match(err.message, /^the Docker engine refused this step's container settings \(/);
          assert.match(err.message, reason);
          return true;
        });
        assert.deepEqual(await world.containersOf(scope.runId), []);
      } finally {
        await executor.removeWorkspace(workspace);
      }
    });
  }
});

describe('resource values Docker refuses are validation errors, before any run', () => {
  for (const [value, reason] of [
    ['cpus: 0.001', /below Docker's minimum of 0\.01 CPUs/],
    ['cpus: 1e-12', /below Docker's minimum of 0\.01 CPUs/],
    ['pids: 99999999999999', /above the kernel's maximum of 4194304/],
    ['pids: 1', /too few to run a step/],
    ['memory: -1', /below Docker's minimum of 6m/],
  ] as const) {
    test(value, async () => {
      const yaml = `name: limits\nimage: ${IMAGE}\nrun: echo hi\nresources:\n  ${value}\n`;
      const { job, issues } = parseJob(yaml, 'job.yaml');
      assert.equal(job, undefined);
      assert.equal(issues.length, 1);
      assert.match(formatIssue(issues[0]!), new RegExp(`^job\\.yaml:5:\\d+: .*${reason.source}`));
      await assert.rejects(world.submit(yaml), /test job does not parse/);
    });
  }
});
