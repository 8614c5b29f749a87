import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { DockerExecutor } from '../../src/executor/docker/docker-executor.ts';
import type { PullPolicy } from '../../src/executor/docker/options.ts';
import type { GroupStatusEvent, LogLineEvent, RunEvent, StepStatusEvent } from '../../src/executor/events.ts';
import type { ChunkSink, ContainerHandle, ContainerSpecRequest, ExecRequest, ExecResult, Executor, RunScope, Workspace } from '../../src/executor/executor.ts';
import { runJob, type RunJobOptions, type RunResult } from '../../src/executor/run-job.ts';
import { buildPlan, createCatalog, parseJob, type Plan, type Scalar } from '../../src/pipeline/index.ts';
import { BUSYBOX_ALT_IMAGE, BUSYBOX_IMAGE, ensureTestImage } from '../support/images.ts';

/**
 * End to end below the CLI: job YAML → parseJob → buildPlan → runJob on a real DockerExecutor
 * (network none, local images only). Every run gets its own run id; after each test no container
 * or volume labelled with one of that test's run ids may be left. Objects also carry
 * pistages.suite=<id>, so the `after` hook only ever removes this suite's leftovers.
 */

const docker = new Docker();
const SUITE = `rjd-${randomBytes(3).toString('hex')}`;
const SUITE_LABEL = { 'pistages.suite': SUITE };
const MISSING_IMAGE = '127.0.0.1:1/pistages-missing:1';
const CONTEXT = { PISTAGES_REPO: 'acme/app', PISTAGES_SHA: 'abc123', PISTAGES_EVENT: 'push' };

/** Run ids started by the current test; checked and cleared by afterEach. */
let testRunIds: string[] = [];
let runCounter = 0;

/** Delegates to DockerExecutor and records every container it starts (and lets a test look at it). */
class RecordingExecutor implements Executor {
  readonly started: (ContainerHandle & { request: ContainerSpecRequest })[] = [];
  readonly #inner: DockerExecutor;
  readonly #onStarted: ((handle: ContainerHandle) => Promise<void>) | undefined;

  constructor(inner: DockerExecutor, onStarted?: (handle: ContainerHandle) => Promise<void>) {
    this.#inner = inner;
    this.#onStarted = onStarted;
  }

  createWorkspace(scope: RunScope): Promise<Workspace> {
    return this.#inner.createWorkspace(scope);
  }

  removeWorkspace(workspace: Workspace): Promise<void> {
    return this.#inner.removeWorkspace(workspace);
  }

  async startContainer(request: ContainerSpecRequest, signal: AbortSignal): Promise<ContainerHandle> {
    const handle = await this.#inner.startContainer(request, signal);
    this.started.push({ ...handle, request });
    await this.#onStarted?.(handle);
    return handle;
  }

  exec(container: ContainerHandle, request: ExecRequest, sink: ChunkSink, signal: AbortSignal): Promise<ExecResult> {
    return this.#inner.exec(container, request, sink, signal);
  }

  removeContainer(container: ContainerHandle): Promise<void> {
    return this.#inner.removeContainer(container);
  }
}

function planOf(yaml: string, params: Record<string, Scalar> = {}): Plan {
  const parsed = parseJob(yaml, 'job.yaml');
  assert.deepEqual(parsed.issues, [], 'the test job is valid');
  assert.ok(parsed.job);
  return buildPlan(parsed.job, createCatalog([]).catalog, params);
}

interface RunOptions {
  pullPolicy?: PullPolicy;
  onStarted?: (handle: ContainerHandle) => Promise<void>;
  /** replaces event recording (for runs that print millions of lines) */
  onEvent?: (event: RunEvent) => void | Promise<void>;
  job?: Partial<Omit<RunJobOptions, 'runId' | 'executor' | 'onEvent'>>;
}

async function runYaml(yaml: string, options: RunOptions = {}) {
  const runId = `${SUITE}-r${++runCounter}`;
  testRunIds.push(runId);
  const inner = new DockerExecutor({ docker, network: 'none', pullPolicy: options.pullPolicy ?? 'never', labels: SUITE_LABEL });
  const executor = new RecordingExecutor(inner, options.onStarted);
  const events: RunEvent[] = [];
  const startedAt = Date.now();
  const result: RunResult = await runJob(planOf(yaml), {
    runId,
    executor,
    onEvent: options.onEvent ?? ((event) => void events.push(event)),
    defaultRetry: 0,
    groupConcurrency: 4,
    secrets: {},
    logCapBytes: 1024 * 1024,
    context: CONTEXT,
    ...options.job,
  });
  return { runId, result, events, executor, elapsedMs: Date.now() - startedAt };
}

function steps(events: RunEvent[], group: string): StepStatusEvent[] {
  return events.filter((e): e is StepStatusEvent => e.type === 'step' && e.group === group);
}

/** Final status of each step of the group's last attempt, in step order. */
function finalStatuses(events: RunEvent[], group: string, attempt = 1): string[] {
  const finals = steps(events, group).filter((e) => e.attempt === attempt && e.status !== 'running');
  return finals.sort((a, b) => a.step - b.step).map((e) => e.status);
}

function lines(events: RunEvent[], group: string, step: number, attempt = 1): LogLineEvent[] {
  return events.filter((e): e is LogLineEvent => e.type === 'log' && e.group === group && e.step === step && e.attempt === attempt);
}

function text(events: RunEvent[], group: string, step: number, attempt = 1): string[] {
  return lines(events, group, step, attempt).map((e) => e.line);
}

/** `host=<name>` as printed by a step. */
function hostOf(events: RunEvent[], group: string, step: number): string {
  const line = text(events, group, step).find((l) => l.startsWith('host='));
  assert.ok(line, `step ${step} of ${group} printed its hostname`);
  return line.slice('host='.length);
}

function groupStatus(events: RunEvent[], group: string): string | undefined {
  return events.filter((e): e is GroupStatusEvent => e.type === 'group' && e.group === group && e.status !== 'running').pop()?.status;
}

async function leftovers(runId: string): Promise<{ containers: string[]; volumes: string[] }> {
  const filters = { label: [`pistages.run=${runId}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const { Volumes } = await docker.listVolumes({ filters });
  return { containers: containers.map((c) => c.Id), volumes: (Volumes ?? []).map((v) => v.Name) };
}

describe('runJob on the Docker executor, from job YAML', { concurrency: false }, () => {
  before(async () => {
    await docker.ping();
    for (const image of [BUSYBOX_IMAGE, BUSYBOX_ALT_IMAGE]) await ensureTestImage(docker, image);
  });

  afterEach(async () => {
    const ids = testRunIds;
    testRunIds = [];
    for (const runId of ids) {
      assert.deepEqual(await leftovers(runId), { containers: [], volumes: [] }, `nothing of run ${runId} is left on the engine`);
    }
  });

  after(async () => {
    // Only if a test failed half-way: remove this suite's leftovers, selected by its own label
    // (never the reaper: it also takes managed objects without a run id, which may be others').
    const filters = { label: [`pistages.suite=${SUITE}`] };
    const report = (what: string) => (err: unknown) => console.log(`  could not remove leftover ${what}: ${String(err)}`);
    for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true }).catch(report(c.Id));
    for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) await docker.getVolume(v.Name).remove().catch(report(v.Name));
  });

  it('runs groups in parallel: their commands overlap in time', async () => {
    const job = (seconds: number): string => `
name: parallel ${SUITE}
image: ${BUSYBOX_IMAGE}
uses:
  a:
    - run: echo start; sleep ${seconds}; echo end
  b:
    - run: echo start; sleep ${seconds}; echo end
`;
    const interval = (events: RunEvent[], group: string): [number, number] => {
      const byLine = new Map(lines(events, group, 0).map((e) => [e.line, e.at.getTime()]));
      const [start, end] = [byLine.get('start'), byLine.get('end')];
      assert.ok(start !== undefined && end !== undefined, `group ${group} printed start and end`);
      return [start, end];
    };
    // 4 s leaves room for a slow container start on a busy engine
    const parallel = await runYaml(job(4));
    assert.equal(parallel.result.status, 'success');
    const [a, b] = [interval(parallel.events, 'a'), interval(parallel.events, 'b')];
    assert.ok(a[0] < b[1] && b[0] < a[1], `the groups' commands overlap: a=${JSON.stringify(a)} b=${JSON.stringify(b)}`);

    // with one group slot they run in turn: the check above would catch groups run one after the other
    const serial = await runYaml(job(1), { job: { groupConcurrency: 1 } });
    assert.equal(serial.result.status, 'success');
    const [sa, sb] = [interval(serial.events, 'a'), interval(serial.events, 'b')];
    assert.ok(sa[1] <= sb[0] || sb[1] <= sa[0], `with one slot the groups run in turn: a=${JSON.stringify(sa)} b=${JSON.stringify(sb)}`);
  });

  it('an inherited step shares the container; a step with image: gets a new one that still sees /workspace', async () => {
    const { result, events, executor } = await runYaml(`
name: context ${SUITE}
image: ${BUSYBOX_IMAGE}
uses:
  main:
    - run: echo kept > /root/marker; echo built > artifact.txt; echo "host=$(hostname)"
    - run: cat /root/marker; test ! -e /etc/alt-image && echo base-image; echo "host=$(hostname)"
    - image: ${BUSYBOX_ALT_IMAGE}
      run:
        - test ! -e /root/marker && echo no-marker
        - cat /workspace/artifact.txt; cat /etc/alt-image; pwd; echo "host=$(hostname)"
`);
    assert.equal(result.status, 'success', JSON.stringify(result));
    assert.deepEqual(finalStatuses(events, 'main'), ['success', 'success', 'success']);
    const [first, inherited, fresh] = [hostOf(events, 'main', 0), hostOf(events, 'main', 1), hostOf(events, 'main', 2)];
    assert.equal(inherited, first, 'the inherited step ran in the same container');
    assert.notEqual(fresh, first, 'the step with image: ran in a new container');
    assert.deepEqual(text(events, 'main', 1).slice(0, 2), ['kept', 'base-image'], 'files outside /workspace are still there');
    assert.deepEqual(text(events, 'main', 2).slice(0, 4), ['no-marker', 'built', 'busybox-alt', '/workspace']);
    assert.deepEqual(
      executor.started.map((s) => [s.image, s.id.slice(0, 12)]),
      [
        [BUSYBOX_IMAGE, first],
        [BUSYBOX_ALT_IMAGE, fresh],
      ],
      'two containers: hostnames are their ids',
    );
  });

  it('a failing command fails its group and skips the rest; the other group succeeds', async () => {
    const { result, events } = await runYaml(`
name: failure ${SUITE}
image: ${BUSYBOX_IMAGE}
uses:
  broken:
    - run: echo before; exit 3
    - run: echo never
  fine:
    - run: echo fine
`);
    assert.equal(result.status, 'failure');
    assert.deepEqual(result.groups.map((g) => [g.name, g.status]), [
      ['broken', 'failure'],
      ['fine', 'success'],
    ]);
    assert.deepEqual(finalStatuses(events, 'broken'), ['failure', 'skipped']);
    assert.equal(steps(events, 'broken').find((e) => e.status === 'failure')?.exitCode, 3);
    assert.ok(text(events, 'broken', 0).includes('command exited with code 3: echo before; exit 3'), text(events, 'broken', 0).join('\n'));
    assert.deepEqual(text(events, 'broken', 1), [], 'the skipped step never ran');
    assert.deepEqual(text(events, 'fine', 0), ['fine']);
    assert.equal(groupStatus(events, 'broken'), 'failure');
    assert.match(result.message ?? '', /broken \(failure\)/);
  });

  it('a step over its timeout is stopped and timed_out, quickly', async () => {
    const { result, events, elapsedMs } = await runYaml(`
name: timeout ${SUITE}
image: ${BUSYBOX_IMAGE}
timeout: 2s
run: sleep 300
`);
    console.log(`  timeout 2s on sleep 300: run ended after ${elapsedMs} ms`);
    assert.equal(result.status, 'timed_out');
    assert.deepEqual(finalStatuses(events, 'main'), ['timed_out']);
    assert.match(steps(events, 'main').find((e) => e.status === 'timed_out')?.message ?? '', /timed out after 2s/);
    assert.ok(elapsedMs < 30_000, `took ${elapsedMs} ms`);
  });

  it('retries a failed group: attempt 2 succeeds and both attempts keep their logs', async () => {
    const { result, events } = await runYaml(`
name: retry ${SUITE}
image: ${BUSYBOX_IMAGE}
retry: 1
run: echo "attempt $PISTAGES_ATTEMPT"; test "$PISTAGES_ATTEMPT" -ge 2
`);
    assert.equal(result.status, 'success');
    assert.deepEqual(result.groups, [{ name: 'main', status: 'success', attempts: 2, lastAttempt: 2 }]);
    assert.deepEqual(finalStatuses(events, 'main', 1), ['failure']);
    assert.deepEqual(finalStatuses(events, 'main', 2), ['success']);
    assert.equal(text(events, 'main', 0, 1)[0], 'attempt 1');
    assert.deepEqual(text(events, 'main', 0, 2), ['attempt 2']);
  });

  it('cancellation stops the running step: cancelled, quickly', async () => {
    const controller = new AbortController();
    const runStarted = Date.now();
    let abortedAfter = 0;
    const events: RunEvent[] = [];
    const { result } = await runYaml(
      `
name: cancel ${SUITE}
image: ${BUSYBOX_IMAGE}
uses:
  main:
    - run: echo started; sleep 300
    - run: echo never
`,
      {
        onEvent: (event) => {
          events.push(event);
          if (event.type === 'log' && event.line === 'started' && !controller.signal.aborted) {
            abortedAfter = Date.now() - runStarted;
            controller.abort(new Error('cancelled by the test'));
          }
        },
        job: { signal: controller.signal },
      },
    );
    const total = Date.now() - runStarted;
    console.log(`  cancel: aborted after ${abortedAfter} ms, run ended after ${total} ms`);
    assert.ok(controller.signal.aborted, 'the step was running when the run was cancelled');
    assert.equal(result.status, 'cancelled');
    assert.equal(result.message, 'run cancelled: cancelled by the test');
    assert.deepEqual(finalStatuses(events, 'main'), ['cancelled', 'skipped']);
    assert.ok(total - abortedAfter < 20_000, `cancellation took ${total - abortedAfter} ms`);
  });

  it('passes step outputs to a later step through {{ .steps.<id>.outputs.<key> }}', async () => {
    const { result, events } = await runYaml(`
name: outputs ${SUITE}
image: ${BUSYBOX_IMAGE}
uses:
  main:
    - id: a
      run: echo version=1.2.3 >> $PISTAGES_OUTPUT
    - run: echo "release {{ .steps.a.outputs.version }}"
`);
    assert.equal(result.status, 'success');
    assert.deepEqual(steps(events, 'main').find((e) => e.step === 0 && e.status === 'success')?.outputs, { version: '1.2.3' });
    assert.deepEqual(text(events, 'main', 1), ['release 1.2.3']);
  });

  it('applies the job resources to the container', async () => {
    const inspected: Docker.ContainerInspectInfo[] = [];
    const { runId, result, events } = await runYaml(
      `
name: resources ${SUITE}
image: ${BUSYBOX_IMAGE}
resources: {cpus: 0.5, memory: 64m, pids: 64}
run: echo "host=$(hostname)"
`,
      { onStarted: async (handle) => void inspected.push(await docker.getContainer(handle.id).inspect()) },
    );
    assert.equal(result.status, 'success');
    assert.equal(inspected.length, 1);
    const info = inspected[0]!;
    assert.equal(info.Id.slice(0, 12), hostOf(events, 'main', 0), 'the inspected container is the one the step ran in');
    assert.equal(info.State.Running, true);
    assert.equal(info.HostConfig.NanoCpus, 500_000_000);
    assert.equal(info.HostConfig.Memory, 64 * 1024 * 1024);
    assert.equal(info.HostConfig.MemorySwap, 64 * 1024 * 1024);
    assert.equal(info.HostConfig.PidsLimit, 64);
    assert.equal(info.HostConfig.NetworkMode, 'none');
    assert.equal(info.Config.Labels['pistages.run'], runId);
    assert.equal(info.Config.Labels['pistages.job'], `resources ${SUITE}`);
  });

  it('masks secrets in every line, also when printed in pieces', async () => {
    const secret = 's3cr3t-value';
    const { result, events } = await runYaml(
      `
name: secrets ${SUITE}
image: ${BUSYBOX_IMAGE}
secrets: [TOKEN]
run:
  - echo "token=$TOKEN"
  - printf 's3cr'; printf '3t-value\\n'
  - echo "$TOKEN" >&2
  - echo "key=$TOKEN" >> $PISTAGES_OUTPUT; test -n "$TOKEN"
`,
      { job: { secrets: { TOKEN: secret, UNUSED: 'never-exposed' } } },
    );
    assert.equal(result.status, 'success');
    const logged = lines(events, 'main', 0);
    assert.deepEqual(
      logged.map((e) => [e.stream, e.line]),
      [
        ['stdout', 'token=***'],
        ['stdout', '***'],
        ['stderr', '***'],
      ],
    );
    assert.ok(!JSON.stringify(events).includes(secret), 'no event carries the value');
    assert.ok(!JSON.stringify(events).includes('never-exposed'));
    assert.deepEqual(steps(events, 'main').find((e) => e.status === 'success')?.outputs, { key: '***' });
  });

  it('sets the PISTAGES_* variables of the run, the step and the trigger', async () => {
    const { runId, result, events } = await runYaml(`
name: env ${SUITE}
image: ${BUSYBOX_IMAGE}
uses:
  check:
    - name: show env
      run: env | grep '^PISTAGES_' | sort
`);
    assert.equal(result.status, 'success');
    const env = Object.fromEntries(text(events, 'check', 0).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    assert.match(env.PISTAGES_OUTPUT ?? '', /^\/\.pistages\/output-[0-9a-f]+$/);
    delete env.PISTAGES_OUTPUT;
    assert.deepEqual(env, {
      ...CONTEXT,
      PISTAGES_ATTEMPT: '1',
      PISTAGES_GROUP: 'check',
      PISTAGES_JOB: `env ${SUITE}`,
      PISTAGES_RUN_ID: runId,
      PISTAGES_STEP: 'show env',
      PISTAGES_WORKSPACE: '/workspace',
    });
  });

  it('keeps 10 MB of a 200 MB output, one truncation line, with bounded memory', async () => {
    let stdoutLines = 0;
    const system: string[] = [];
    let lastSeq = -1;
    let gaps = 0;
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sample = (): void => {
      peak = Math.max(peak, process.memoryUsage().rss);
    };
    const timer = setInterval(sample, 50);
    let result: RunResult;
    let elapsedMs: number;
    try {
      ({ result, elapsedMs } = await runYaml(
        `
name: huge ${SUITE}
image: ${BUSYBOX_IMAGE}
run: yes 0123456789 | head -c 200000000
`,
        {
          job: { logCapBytes: 10 * 1024 * 1024 },
          onEvent: (event) => {
            if (event.type !== 'log') return;
            if (event.seq !== lastSeq + 1) gaps++;
            lastSeq = event.seq;
            if (event.stream === 'system') system.push(event.line);
            else if (++stdoutLines % 4096 === 0) sample();
          },
        },
      ));
    } finally {
      clearInterval(timer);
    }
    sample();
    const growthMb = (peak - baseline) / 1024 / 1024;
    console.log(`  200 MB output in ${elapsedMs} ms: ${stdoutLines} lines kept, RSS growth ${growthMb.toFixed(1)} MB`);
    assert.equal(result.status, 'success', 'the command was never blocked by the cap');
    assert.equal(gaps, 0, 'log lines are numbered without gaps');
    assert.equal(stdoutLines, Math.floor((10 * 1024 * 1024) / 11), 'exactly 10 MB of 11-byte lines kept');
    assert.deepEqual(system, ["log truncated: 10 MB limit reached; the rest of this step's output was dropped"]);
    assert.ok(growthMb < 300, `RSS grew by ${growthMb.toFixed(1)} MB`);
  });

  it('a missing image makes the step error, naming the image', async () => {
    const { result, events } = await runYaml(
      `
name: missing image ${SUITE}
uses:
  main:
    - image: ${MISSING_IMAGE}
      run: echo never
    - run: echo never either
`,
      { pullPolicy: 'if-not-present' },
    );
    assert.equal(result.status, 'error');
    assert.deepEqual(finalStatuses(events, 'main'), ['error', 'skipped']);
    const message = steps(events, 'main').find((e) => e.status === 'error')?.message ?? '';
    assert.ok(message.includes(`image '${MISSING_IMAGE}' is not available`), message);
    assert.ok(text(events, 'main', 0).includes(message), 'the reason is also in the step log');
  });
});
