import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { after, afterEach, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { DockerExecutor } from '../../src/executor/docker/docker-executor.ts';
import { localOwnerLabels } from '../../src/executor/docker/labels.ts';
import { reapLocalLeftovers, reapOrphans } from '../../src/executor/docker/reaper.ts';
import type { LogLineEvent, RunEvent, StepStatusEvent } from '../../src/executor/events.ts';
import type { ChunkSink, ContainerHandle, ContainerSpecRequest, ExecRequest, ExecResult, Executor } from '../../src/executor/executor.ts';
import type { RunRef, RunResources, RunScope, Workspace } from '../../src/executor/executor.ts';
import { runJob, type RunResult } from '../../src/executor/run-job.ts';
import { buildPlan, createCatalog, parseJob, type Plan } from '../../src/pipeline/index.ts';
import { BUSYBOX_IMAGE, ensureTestImage } from '../support/images.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Per-run networks on the real engine, in mode `internal` (a network of each run's own without
 * outbound access, so no test container reaches beyond the host). Objects carry
 * pistages.suite=<id>; after each test nothing with that label may be left.
 */

const docker = new Docker();
const SUITE = `net-${randomBytes(3).toString('hex')}`;
const SUITE_LABEL = { 'pistages.suite': SUITE };
const run = promisify(execFile);
let runCounter = 0;

interface Hooks {
  /** awaited before the container starts; its result is added to the container's environment */
  beforeStart?: (request: ContainerSpecRequest) => Promise<Record<string, string>>;
  /** awaited after the container started */
  afterStart?: (handle: ContainerHandle, request: ContainerSpecRequest) => Promise<void>;
  /** told when a start fails */
  startFailed?: (err: unknown, request: ContainerSpecRequest) => void;
}

/** Delegates to a DockerExecutor, with hooks around container starts; remembers the run's network. */
class HookedExecutor implements Executor {
  network: string | undefined;
  readonly #inner: DockerExecutor;
  readonly #hooks: Hooks;

  constructor(inner: DockerExecutor, hooks: Hooks = {}) {
    this.#inner = inner;
    this.#hooks = hooks;
  }

  async prepareRun(ref: RunRef, signal: AbortSignal): Promise<RunResources> {
    const resources = await this.#inner.prepareRun(ref, signal);
    this.network = resources.network;
    return resources;
  }

  releaseRun(resources: RunResources): Promise<void> {
    return this.#inner.releaseRun(resources);
  }

  createWorkspace(scope: RunScope): Promise<Workspace> {
    return this.#inner.createWorkspace(scope);
  }

  removeWorkspace(workspace: Workspace): Promise<void> {
    return this.#inner.removeWorkspace(workspace);
  }

  async startContainer(request: ContainerSpecRequest, signal: AbortSignal): Promise<ContainerHandle> {
    try {
      const env = (await this.#hooks.beforeStart?.(request)) ?? {};
      const handle = await this.#inner.startContainer({ ...request, env: { ...request.env, ...env } }, signal);
      await this.#hooks.afterStart?.(handle, request);
      return handle;
    } catch (err) {
      this.#hooks.startFailed?.(err, request);
      throw err;
    }
  }

  exec(container: ContainerHandle, request: ExecRequest, sink: ChunkSink, signal: AbortSignal): Promise<ExecResult> {
    return this.#inner.exec(container, request, sink, signal);
  }

  removeContainer(container: ContainerHandle): Promise<void> {
    return this.#inner.removeContainer(container);
  }
}

function dockerExecutor(labels: Record<string, string> = {}): DockerExecutor {
  return new DockerExecutor({ docker, network: 'internal', pullPolicy: 'never', labels: { ...SUITE_LABEL, ...labels } });
}

function planOf(yaml: string): Plan {
  const parsed = parseJob(yaml, 'job.yaml');
  assert.deepEqual(parsed.issues, [], 'the test job is valid');
  assert.ok(parsed.job);
  return buildPlan(parsed.job, createCatalog([]).catalog, {});
}

async function runYaml(yaml: string, executor: Executor, signal?: AbortSignal, events: RunEvent[] = []): Promise<{ runId: string; result: RunResult; events: RunEvent[] }> {
  const runId = `${SUITE}-r${++runCounter}`;
  const result = await runJob(planOf(yaml), {
    runId, executor, onEvent: (e) => void events.push(e), defaultRetry: 0, groupConcurrency: 4, secrets: {}, logCapBytes: 1 << 20, context: {},
    ...(signal && { signal }),
  });
  return { runId, result, events };
}

function log(events: RunEvent[], group: string): string[] {
  return events.filter((e): e is LogLineEvent => e.type === 'log' && e.group === group).map((e) => e.line);
}

function step(events: RunEvent[], group: string): StepStatusEvent | undefined {
  return events.find((e): e is StepStatusEvent => e.type === 'step' && e.group === group && e.status !== 'running');
}

async function networks(label: string): Promise<Docker.NetworkInspectInfo[]> {
  return docker.listNetworks({ filters: { label: [label] } });
}

async function ipIn(containerId: string, network: string): Promise<string> {
  const info = await docker.getContainer(containerId).inspect();
  const ip = info.NetworkSettings.Networks[network]?.IPAddress;
  assert.ok(ip, `container ${containerId} has an address in ${network}: ${JSON.stringify(Object.keys(info.NetworkSettings.Networks))}`);
  return ip;
}

/** Something listens on TCP port 8080 in the container (state 0A, port 1F90 in /proc/net/tcp or tcp6). */
async function listening(containerId: string): Promise<boolean> {
  const { stdout } = await run('docker', ['exec', containerId, 'cat', '/proc/net/tcp', '/proc/net/tcp6']);
  return stdout.split('\n').some((line) => /:1F90 [0-9A-F]+:0000 0A /.test(line));
}

/** A promise with its resolve and reject functions. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (err: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // a rejection nobody waits for any more must not end the test process
  return { promise, resolve, reject };
}

describe('networks of their own per run, on the real engine', { concurrency: false }, () => {
  before(async () => {
    await docker.ping();
    await ensureTestImage(docker, BUSYBOX_IMAGE);
  });

  afterEach(async () => {
    const label = `pistages.suite=${SUITE}`;
    const containers = await docker.listContainers({ all: true, filters: { label: [label] } });
    const { Volumes } = await docker.listVolumes({ filters: { label: [label] } });
    const left = { containers: containers.length, volumes: (Volumes ?? []).length, networks: (await networks(label)).length };
    assert.deepEqual(left, { containers: 0, volumes: 0, networks: 0 }, 'nothing of the test is left on the engine');
  });

  after(async () => {
    // only after a failure half-way: this suite's runs are the only ones it treats as over
    await reapOrphans(docker, async (runId) => !runId.startsWith(SUITE));
  });

  it("a run's groups reach each other; another run cannot reach them", async () => {
    const inner = dockerExecutor();
    const server = deferred<{ ip: string; network: string }>();
    const bDone = deferred<void>();
    const containerNetworks: Record<string, string[]> = {};
    const record = async (handle: ContainerHandle, request: ContainerSpecRequest): Promise<void> => {
      const info = await docker.getContainer(handle.id).inspect();
      containerNetworks[`${request.scope.runId}/${request.scope.group}`] = Object.keys(info.NetworkSettings.Networks);
    };

    const a = new HookedExecutor(inner, {
      // the client connects only after run B has tried, while the listener still runs
      beforeStart: async (request): Promise<Record<string, string>> => {
        if (request.scope.group !== 'client') return {};
        await bDone.promise;
        return { TARGET: (await server.promise).ip };
      },
      afterStart: async (handle, request) => {
        await record(handle, request);
        if (request.scope.group !== 'serve') return;
        const network = a.network;
        assert.ok(network, 'run A has a network of its own');
        const ip = await ipIn(handle.id, network);
        // not awaited here: the listener starts with the step, after this start returns
        void waitFor('the listener of run A', () => listening(handle.id), { timeoutMs: 30_000, intervalMs: 50 }).then(
          () => server.resolve({ ip, network }),
          (err: unknown) => server.reject(err),
        );
      },
      // run B and the client wait for the listener: without one, they must not wait for ever
      startFailed: (err, request) => {
        if (request.scope.group === 'serve') server.reject(err);
      },
    });
    const b = new HookedExecutor(inner, { beforeStart: async () => ({ TARGET: (await server.promise).ip }), afterStart: record });

    const runA = runYaml(`
name: net A ${SUITE}
image: ${BUSYBOX_IMAGE}
uses:
  serve:
    - name: listen
      timeout: 60s
      run: |
        while :; do
          got=$(echo from-a | nc -l -p 8080)
          echo "got: $got"
          if [ "$got" = stop ]; then break; fi
        done
  client:
    - name: connect
      timeout: 60s
      run: echo stop | nc -w 10 "$TARGET" 8080
`, a);
    const runB = runYaml(`
name: net B ${SUITE}
image: ${BUSYBOX_IMAGE}
uses:
  probe:
    - name: connect to run A
      timeout: 60s
      run: echo from-b | nc -w 3 "$TARGET" 8080
`, b).finally(() => bDone.resolve());

    const [A, B] = await Promise.all([runA, runB]);
    const { ip, network } = await server.promise;

    assert.equal(B.result.status, 'failure', `run B must not reach ${ip}:8080 of run A; its log: ${log(B.events, 'probe').join(' | ')}`);
    assert.notEqual(step(B.events, 'probe')?.exitCode, 0);
    assert.ok(!log(B.events, 'probe').includes('from-a'), 'run B received nothing from run A');

    assert.equal(A.result.status, 'success', JSON.stringify(A.result));
    assert.deepEqual(log(A.events, 'client'), ['from-a'], "run A's second group reached the listener");
    assert.deepEqual(log(A.events, 'serve'), ['got: stop'], 'the listener heard only its own run');

    assert.deepEqual(containerNetworks[`${A.runId}/serve`], [network]);
    assert.deepEqual(containerNetworks[`${A.runId}/client`], [network], "both groups of run A joined run A's network");
    const [bNetwork] = containerNetworks[`${B.runId}/probe`] ?? [];
    assert.ok(bNetwork !== undefined && bNetwork !== network, `run B has a network of its own (${String(bNetwork)})`);

    for (const runId of [A.runId, B.runId]) {
      assert.deepEqual(await networks(`pistages.run=${runId}`), [], `the network of ${runId} was removed with the run`);
    }
  });

  it('makes each network internal and labelled for the reaper', async () => {
    const inner = dockerExecutor();
    const seen = deferred<Docker.NetworkInspectInfo>();
    const executor = new HookedExecutor(inner, {
      afterStart: async () => {
        assert.ok(executor.network);
        seen.resolve((await docker.getNetwork(executor.network).inspect()) as Docker.NetworkInspectInfo);
      },
    });
    const { runId, result } = await runYaml(`
name: net labels ${SUITE}
image: ${BUSYBOX_IMAGE}
uses:
  main:
    - run: "true"
`, executor);
    assert.equal(result.status, 'success');
    const info = await seen.promise;
    assert.equal(info.Internal, true);
    assert.equal(info.Driver, 'bridge');
    assert.match(info.Options?.['com.docker.network.bridge.name'] ?? '', /^pst-[0-9a-f]{8}$/, 'a host interface firewall rules can match');
    assert.deepEqual(
      { run: info.Labels?.['pistages.run'], managed: info.Labels?.['pistages.managed'], suite: info.Labels?.['pistages.suite'] },
      { run: runId, managed: 'true', suite: SUITE },
    );
  });

  it('drops NET_RAW: no raw sockets, so busybox ping is refused', async () => {
    const capDrop = deferred<string[]>();
    const executor = new HookedExecutor(dockerExecutor(), {
      afterStart: async (handle) => capDrop.resolve((await docker.getContainer(handle.id).inspect()).HostConfig.CapDrop ?? []),
    });
    const { result, events } = await runYaml(`
name: net raw ${SUITE}
image: ${BUSYBOX_IMAGE}
uses:
  main:
    - run: ping -c 1 127.0.0.1
`, executor);
    assert.deepEqual(await capDrop.promise, ['NET_RAW']);
    assert.equal(result.status, 'failure');
    assert.ok(log(events, 'main').some((line) => /permission denied/i.test(line)), log(events, 'main').join(' | '));
  });

  it("removes a cancelled run's network", async () => {
    const executor = new HookedExecutor(dockerExecutor());
    const cancel = new AbortController();
    const events: RunEvent[] = [];
    const running = runYaml(`
name: net cancel ${SUITE}
image: ${BUSYBOX_IMAGE}
uses:
  main:
    - run: echo started; sleep 300
`, executor, cancel.signal, events);
    await waitFor('the step to run', () => log(events, 'main').includes('started'), { timeoutMs: 30_000 });
    const network = executor.network;
    assert.ok(network);
    assert.equal((await docker.getNetwork(network).inspect()).Name, network, 'the network exists while the run runs');
    cancel.abort(new Error('cancelled by the test'));
    const { runId, result } = await running;
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(await networks(`pistages.run=${runId}`), []);
  });

  it('the reaper removes the network of a dead run (after its containers), and keeps an active one', async () => {
    const ex = dockerExecutor();
    const signal = new AbortController().signal;
    const dead = { runId: `${SUITE}-dead`, job: 'crashed', attempt: 1 };
    const alive = { runId: `${SUITE}-alive`, job: 'running', attempt: 1 };
    const deadNet = await ex.prepareRun(dead, signal);
    const liveNet = await ex.prepareRun(alive, signal);
    // a worker that died mid-step: a container in the network, nothing released
    const scope = { ...dead, group: 'main' };
    const workspace = await ex.createWorkspace(scope);
    await ex.startContainer({ scope, container: 0, image: BUSYBOX_IMAGE, env: {}, workspace }, signal);
    try {
      assert.deepEqual(await reapOrphans(docker, async (runId) => runId !== dead.runId), { containers: 1, volumes: 2, networks: 1 });
      assert.deepEqual(await networks(`pistages.run=${dead.runId}`), []);
      assert.equal((await networks(`pistages.run=${alive.runId}`)).length, 1, "the active run's network stays");
      await ex.releaseRun(deadNet); // safe after the reaper removed it
    } finally {
      await ex.releaseRun(liveNet);
    }
  });

  it('`pistages prune` removes the networks of local runs whose process is gone', async () => {
    const host = `host-${SUITE}`;
    const deadPid = 999_999;
    const ex = dockerExecutor(localOwnerLabels(host, deadPid));
    const resources = await ex.prepareRun({ runId: `local-${SUITE}`, job: 'local', attempt: 1 }, new AbortController().signal);
    assert.deepEqual(await reapLocalLeftovers(docker, host, (pid) => pid !== deadPid), { containers: 0, volumes: 0, networks: 1 });
    assert.ok(resources.network);
    await assert.rejects(docker.getNetwork(resources.network).inspect(), /no such network|not found/i);
  });
});
