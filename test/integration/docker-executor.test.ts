import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import Docker from 'dockerode';
import { DockerExecutor } from '../../src/executor/docker/docker-executor.ts';
import { loadConfig } from '../../src/config.ts';
import { containerDefaults, type PullPolicy } from '../../src/executor/docker/options.ts';
import { reapOrphans } from '../../src/executor/docker/reaper.ts';
import { ExecutorError, type ChunkSink, type ContainerHandle, type ContainerSpecRequest, type RunScope, type Workspace } from '../../src/executor/executor.ts';
import { BUSYBOX_ALT_IMAGE, BUSYBOX_IMAGE, ensureTestImage, ENTRYPOINT_IMAGE, NO_SHELL_IMAGE } from '../support/images.ts';

/**
 * DockerExecutor against the real engine. Containers run with network `none`; nothing is pulled.
 * Every object this suite creates carries the label pistages.suite=<id>, so the leak check after
 * each test (and the reaper test) never touches what other suites run on the same engine.
 */

const docker = new Docker();
const SUITE = `it-${randomBytes(3).toString('hex')}`;
const SUITE_LABEL = { 'pistages.suite': SUITE };
const never = new AbortController().signal;

function executor(pullPolicy: PullPolicy = 'never'): DockerExecutor {
  return new DockerExecutor({ docker, network: 'none', pullPolicy, labels: SUITE_LABEL });
}

let runCounter = 0;
function scope(group = 'main'): RunScope {
  runCounter += 1;
  return { runId: `${SUITE}-run${runCounter}`, job: 'Docker executor test', group, attempt: 1 };
}

function spec(workspace: Workspace, runScope: RunScope, overrides: Partial<ContainerSpecRequest> = {}): ContainerSpecRequest {
  return { scope: runScope, container: 0, image: BUSYBOX_IMAGE, env: { CI: 'true' }, workspace, ...overrides };
}

/** Collects output as text per stream. */
function collector(): { sink: ChunkSink; stdout: () => string; stderr: () => string } {
  const parts = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  return {
    sink: (stream, chunk) => void parts[stream].push(Buffer.from(chunk)),
    stdout: () => Buffer.concat(parts.stdout).toString(),
    stderr: () => Buffer.concat(parts.stderr).toString(),
  };
}

/** A workspace and a started container, cleaned up by the caller's `finally` through `done`. */
async function started(ex: DockerExecutor, overrides: Partial<ContainerSpecRequest> = {}) {
  const s = scope();
  const workspace = await ex.createWorkspace(s);
  const container = await ex.startContainer(spec(workspace, s, overrides), never);
  const done = async (): Promise<void> => {
    await ex.removeContainer(container);
    await ex.removeWorkspace(workspace);
  };
  return { scope: s, workspace, container, done };
}

async function run(ex: DockerExecutor, container: ContainerHandle, command: string, env: Record<string, string> = {}) {
  const out = collector();
  const result = await ex.exec(container, { command, env }, out.sink, never);
  return { ...result, stdout: out.stdout(), stderr: out.stderr() };
}

async function suiteLeftovers(): Promise<{ containers: number; volumes: number }> {
  const filters = { label: ['pistages.managed=true', `pistages.suite=${SUITE}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const { Volumes } = await docker.listVolumes({ filters });
  return { containers: containers.length, volumes: (Volumes ?? []).length };
}

describe('DockerExecutor on a real engine', { concurrency: false }, () => {
  before(async () => {
    await docker.ping();
    for (const image of [BUSYBOX_IMAGE, BUSYBOX_ALT_IMAGE, NO_SHELL_IMAGE, ENTRYPOINT_IMAGE]) await ensureTestImage(docker, image);
  });

  afterEach(async () => {
    assert.deepEqual(await suiteLeftovers(), { containers: 0, volumes: 0 }, 'every container and volume was removed');
  });

  after(async () => {
    // Only if a test failed half-way: leave the engine clean for the next run.
    await reapOrphans(docker, async (runId) => !runId.startsWith(SUITE));
  });

  it('shares the workspace between two containers of a group, each from its own image', async () => {
    const ex = executor();
    const s = scope();
    const workspace = await ex.createWorkspace(s);
    try {
      const first = await ex.startContainer(spec(workspace, s), never);
      const r1 = await run(ex, first, 'pwd; echo built > artifact.txt; test ! -e /etc/alt-image');
      assert.equal(r1.exitCode, 0, r1.stderr);
      assert.equal(r1.stdout, '/workspace\n');
      const second = await ex.startContainer(spec(workspace, s, { container: 1, image: BUSYBOX_ALT_IMAGE }), never);
      const r2 = await run(ex, second, 'cat /workspace/artifact.txt; cat /etc/alt-image');
      assert.equal(r2.stdout, 'built\nbusybox-alt\n');
      assert.notEqual(first.id, second.id);
      await ex.removeContainer(first);
      await ex.removeContainer(second);
    } finally {
      await ex.removeWorkspace(workspace);
    }
  });

  it('runs later commands in the same container: files outside /workspace, processes, hostname', async () => {
    const ex = executor();
    const { container, done } = await started(ex);
    try {
      const r1 = await run(ex, container, 'echo state > /root/state; hostname; sleep 1000 >/dev/null 2>&1 &');
      const r2 = await run(ex, container, 'cat /root/state; hostname; ps -o args | grep -c "^sleep 1000"');
      assert.equal(r2.exitCode, 0, r2.stderr);
      const [state, host, sleepers] = r2.stdout.trim().split('\n');
      assert.equal(state, 'state');
      assert.equal(host, r1.stdout.trim());
      assert.equal(sleepers, '1', 'the background process of the first command is still running');
    } finally {
      await done();
    }
  });

  it('passes container and exec environment and the PISTAGES_OUTPUT path', async () => {
    const ex = executor();
    const { container, done } = await started(ex, { env: { CI: 'true', SHARED: 'container' } });
    try {
      const r = await run(ex, container, 'echo "$CI $SHARED $STEP_ONLY"; echo "$PISTAGES_OUTPUT"', { SHARED: 'exec', STEP_ONLY: 'a b' });
      const [values, outputPath] = r.stdout.trim().split('\n');
      assert.equal(values, 'true exec a b');
      assert.match(outputPath ?? '', /^\/\.pistages\/output-[0-9a-f]+$/);
    } finally {
      await done();
    }
  });

  it('applies resource limits and hardening visible in docker inspect', async () => {
    const ex = executor();
    const { container, done } = await started(ex, { resources: { cpus: 0.5, memoryBytes: 64 * 1024 * 1024, pids: 64 } });
    try {
      const info = await docker.getContainer(container.id).inspect();
      assert.equal(info.HostConfig.NanoCpus, 500_000_000);
      assert.equal(info.HostConfig.Memory, 67_108_864);
      assert.equal(info.HostConfig.MemorySwap, 67_108_864);
      assert.equal(info.HostConfig.PidsLimit, 64);
      assert.deepEqual(info.HostConfig.SecurityOpt, ['no-new-privileges:true']);
      assert.equal(info.HostConfig.NetworkMode, 'none');
      assert.equal(info.HostConfig.Privileged, false);
      assert.equal(info.HostConfig.Init, true);
      assert.equal(info.Config.Labels['pistages.managed'], 'true');
      assert.equal(info.Config.Labels['pistages.attempt'], '1');
      const r = await run(ex, container, 'ip -o link | grep -vc " lo:" || true; grep NoNewPrivs /proc/self/status');
      assert.match(r.stdout, /^0\n/, 'no network interface besides loopback');
      assert.match(r.stdout, /NoNewPrivs:\s+1/);
    } finally {
      await done();
    }
  });

  it('a step without resources gets the operator defaults (PISTAGES_DEFAULT_*), visible in docker inspect', async () => {
    const defaults = containerDefaults(loadConfig({}, { role: 'any' }));
    const ex = new DockerExecutor({ docker, network: 'none', pullPolicy: 'never', labels: SUITE_LABEL, defaults });
    const { container, done } = await started(ex);
    try {
      const info = await docker.getContainer(container.id).inspect();
      assert.equal(info.HostConfig.PidsLimit, 1024);
      assert.equal(info.HostConfig.Memory, 4 * 1024 ** 3);
      assert.equal(info.HostConfig.MemorySwap, 4 * 1024 ** 3);
      assert.equal(info.HostConfig.NanoCpus, 0, 'no CPU default unless the operator sets one');
    } finally {
      await done();
    }
  });

  it('reports a missing, unpullable image as ExecutorError(image) naming it, quickly', async () => {
    const s = scope();
    for (const [policy, image] of [
      ['if-not-present', '127.0.0.1:1/pistages-missing:1'],
      ['always', '127.0.0.1:1/pistages-missing:1'],
      ['never', 'pistages-test/missing:1'],
    ] as const) {
      const ex = executor(policy);
      const workspace = await ex.createWorkspace(s);
      try {
        const startedAt = Date.now();
        let lastError: string | undefined;
        await assert.rejects(ex.startContainer(spec(workspace, s, { image }), never), (err: unknown) => {
          assert.ok(err instanceof ExecutorError, String(err));
          assert.equal(err.kind, 'image');
          assert.ok(err.message.includes(`image '${image}' is not available`), err.message);
          lastError = err.message;
          return true;
        });
        console.log(`  missing image (${policy}) failed after ${Date.now() - startedAt} ms: ${String(lastError)}`);
      } finally {
        await ex.removeWorkspace(workspace);
      }
    }
  });

  it('notices an image removed after it was first found (no stale image cache)', async () => {
    const ex = executor('never');
    const repo = `pistages-test/${SUITE}-cached`;
    const image = `${repo}:1`;
    await docker.getImage(BUSYBOX_IMAGE).tag({ repo, tag: '1' });
    const s = scope();
    const workspace = await ex.createWorkspace(s);
    try {
      const first = await ex.startContainer(spec(workspace, s, { image }), never);
      await ex.removeContainer(first);
      await docker.getImage(image).remove();
      await assert.rejects(ex.startContainer(spec(workspace, s, { image, container: 1 }), never), (err: unknown) => {
        assert.ok(err instanceof ExecutorError && err.kind === 'image', String(err));
        assert.match(err.message, /is not available: the engine has no such image/);
        return true;
      });
    } finally {
      await docker.getImage(image).remove().catch(() => {});
      await ex.removeWorkspace(workspace);
    }
  });

  it('reports an image without sh as ExecutorError(image) and leaves no container', async () => {
    const ex = executor();
    const s = scope();
    const workspace = await ex.createWorkspace(s);
    try {
      await assert.rejects(ex.startContainer(spec(workspace, s, { image: NO_SHELL_IMAGE }), never), (err: unknown) => {
        assert.ok(err instanceof ExecutorError && err.kind === 'image', String(err));
        assert.match(err.message, /did not start a shell.*sh -e -c/s);
        console.log(`  ${err.message}`);
        return true;
      });
    } finally {
      await ex.removeWorkspace(workspace);
    }
  });

  it("ignores the image's own entrypoint", async () => {
    const ex = executor();
    const { container, done } = await started(ex, { image: ENTRYPOINT_IMAGE });
    try {
      assert.equal((await run(ex, container, 'echo alive')).stdout, 'alive\n');
    } finally {
      await done();
    }
  });

  it('returns exit codes; sh -e stops at the first failing command', async () => {
    const ex = executor();
    const { container, done } = await started(ex);
    try {
      assert.equal((await run(ex, container, 'true')).exitCode, 0);
      assert.equal((await run(ex, container, 'exit 3')).exitCode, 3);
      const r = await run(ex, container, 'echo before; false; echo after');
      assert.equal(r.exitCode, 1);
      assert.equal(r.stdout, 'before\n');
      assert.equal((await run(ex, container, 'kill -9 $$')).exitCode, 137);
    } finally {
      await done();
    }
  });

  it('keeps stdout and stderr apart', async () => {
    const ex = executor();
    const { container, done } = await started(ex);
    try {
      const r = await run(ex, container, 'echo out1; echo err1 >&2; printf out2; printf err2 >&2');
      assert.equal(r.stdout, 'out1\nout2');
      assert.equal(r.stderr, 'err1\nerr2');
    } finally {
      await done();
    }
  });

  it('returns outputs written to $PISTAGES_OUTPUT, fresh for every command', async () => {
    const ex = executor();
    const { container, done } = await started(ex);
    try {
      const r1 = await run(ex, container, 'echo "version=1.2" >> "$PISTAGES_OUTPUT"; echo "url=http://x/?a=b" >> "$PISTAGES_OUTPUT"; echo version=1.3 >> "$PISTAGES_OUTPUT"');
      assert.deepEqual(r1.outputs, { version: '1.3', url: 'http://x/?a=b' });
      const r2 = await run(ex, container, 'echo nothing');
      assert.deepEqual(r2.outputs, {}, 'outputs of an earlier command are not reported again');
      const failed = await run(ex, container, 'echo partial=1 >> "$PISTAGES_OUTPUT"; echo junk >> "$PISTAGES_OUTPUT"; exit 4');
      assert.equal(failed.exitCode, 4, 'a failed command keeps its exit code despite malformed outputs');
      assert.deepEqual(failed.outputs, { partial: '1' });
      await assert.rejects(run(ex, container, 'echo "no equals sign" >> "$PISTAGES_OUTPUT"'), /line 1 of \$PISTAGES_OUTPUT is not key=value/);
      const nonRoot = await run(ex, container, 'su -s /bin/sh -c "echo uid=\\$(id -u) >> $PISTAGES_OUTPUT" nobody');
      assert.deepEqual(nonRoot.outputs, { uid: '65534' }, 'a non-root user can write outputs');
    } finally {
      await done();
    }
  });

  it('abort kills a running command quickly and rejects with the reason', async () => {
    const ex = executor();
    const { container, done } = await started(ex);
    try {
      const controller = new AbortController();
      const out = collector();
      const startedAt = Date.now();
      const pending = ex.exec(container, { command: 'echo started; sleep 300', env: {} }, out.sink, controller.signal);
      while (!out.stdout().includes('started')) await delay(20);
      const reason = new Error('step timed out after 1s');
      controller.abort(reason);
      await assert.rejects(pending, (err) => err === reason);
      const elapsed = Date.now() - startedAt;
      assert.ok(elapsed < 20_000, `abort took ${elapsed} ms`);
      console.log(`  abort of sleep 300 settled after ${elapsed} ms`);
      const info = await docker.getContainer(container.id).inspect();
      assert.equal(info.State.Running, false, 'the command and every other process of the container are gone');
      await assert.rejects(run(ex, container, 'true'), (err: unknown) => err instanceof ExecutorError && /is not running/.test(err.message));
    } finally {
      await done();
    }
  });

  it('a throwing sink rejects exec with its own error and stops the command', async () => {
    const ex = executor();
    const { container, done } = await started(ex);
    try {
      const failure = new Error('log store unavailable');
      const sink: ChunkSink = async () => {
        throw failure;
      };
      await assert.rejects(ex.exec(container, { command: 'echo hello; sleep 300', env: {} }, sink, never), (err) => err === failure);
      assert.equal((await docker.getContainer(container.id).inspect()).State.Running, false);
    } finally {
      await done();
    }
  });

  it('applies backpressure: a slow sink pauses the command instead of buffering its output', async () => {
    const ex = executor();
    const { container, done } = await started(ex);
    try {
      let paused = true;
      let seen = 0;
      const sink: ChunkSink = async (_stream, chunk) => {
        seen += chunk.length;
        if (paused) await delay(3000);
        paused = false;
      };
      const pending = ex.exec(container, { command: 'head -c 50000000 /dev/zero; touch /root/finished', env: {} }, sink, never);
      await delay(2000);
      const probe = await run(ex, container, 'test -e /root/finished && echo finished || echo writing');
      assert.equal(probe.stdout, 'writing\n', 'the writer is blocked while the sink is busy');
      assert.equal((await pending).exitCode, 0);
      assert.equal(seen, 50_000_000);
    } finally {
      await done();
    }
  });

  it('streams 200 MB of output with bounded memory', async () => {
    const ex = executor();
    const { container, done } = await started(ex);
    try {
      global.gc?.();
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      let bytes = 0;
      let chunks = 0;
      const sink: ChunkSink = (_stream, chunk) => {
        bytes += chunk.length;
        if (++chunks % 256 === 0) peak = Math.max(peak, process.memoryUsage().rss);
      };
      const startedAt = Date.now();
      const result = await ex.exec(container, { command: 'yes "pistages log line" | head -c 200000000', env: {} }, sink, never);
      assert.equal(result.exitCode, 0);
      assert.equal(bytes, 200_000_000);
      const growth = (peak - baseline) / 1024 / 1024;
      console.log(`  200 MB in ${Date.now() - startedAt} ms, ${chunks} chunks, RSS growth ${growth.toFixed(1)} MB`);
      assert.ok(growth < 100, `RSS grew by ${growth.toFixed(1)} MB`);
    } finally {
      await done();
    }
  });

  it('removal is idempotent: containers and workspaces twice, unknown ids, workspace after its container', async () => {
    const ex = executor();
    const { container, workspace } = await started(ex);
    await ex.removeContainer(container);
    await ex.removeContainer(container);
    await ex.removeWorkspace(workspace);
    await ex.removeWorkspace(workspace);
    await ex.removeContainer({ id: 'pistages-never-created', image: BUSYBOX_IMAGE });
    await ex.removeWorkspace({ id: 'pistages-never-created' });
  });

  it('does not start a container when the signal is already aborted', async () => {
    const ex = executor();
    const s = scope();
    const workspace = await ex.createWorkspace(s);
    try {
      const controller = new AbortController();
      controller.abort(new Error('cancelled'));
      await assert.rejects(ex.startContainer(spec(workspace, s), controller.signal), /cancelled/);
    } finally {
      await ex.removeWorkspace(workspace);
    }
  });

  it('reports an unreachable engine as ExecutorError(engine) with a fix', async () => {
    const ex = new DockerExecutor({ docker: new Docker({ socketPath: '/nonexistent/docker.sock' }), network: 'none', pullPolicy: 'never' });
    await assert.rejects(ex.createWorkspace(scope()), (err: unknown) => {
      assert.ok(err instanceof ExecutorError && err.kind === 'engine', String(err));
      assert.match(err.message, /unix:\/\/\/nonexistent\/docker\.sock is unreachable/);
      assert.match(err.message, /Is dockerd running/);
      assert.match(err.message, /DOCKER_HOST/);
      return true;
    });
  });

  it('reaper removes leftovers of finished runs and keeps those of active runs', async () => {
    const ex = executor();
    const finished = await started(ex);
    const active = await started(ex);
    try {
      const isRunActive = async (runId: string): Promise<boolean> => !runId.startsWith(SUITE) || runId === active.scope.runId;
      // a workspace is two volumes: the workspace and its outputs tmpfs
      assert.deepEqual(await reapOrphans(docker, isRunActive), { containers: 1, volumes: 2, networks: 0 });
      await assert.rejects(docker.getContainer(finished.container.id).inspect(), /no such container/i);
      await assert.rejects(docker.getVolume(finished.workspace.id).inspect(), /no such volume/i);
      assert.equal((await docker.getContainer(active.container.id).inspect()).State.Running, true);
      assert.deepEqual(await reapOrphans(docker, isRunActive), { containers: 0, volumes: 0, networks: 0 });
    } finally {
      await finished.done();
      await active.done();
    }
  });
});
