import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { DockerExecutor } from '../../src/executor/docker/docker-executor.ts';
import { reapOrphans } from '../../src/executor/docker/reaper.ts';
import { ExecutorError, type ChunkSink, type ContainerSpecRequest, type ExecRequest, type RunScope, type Workspace } from '../../src/executor/executor.ts';
import { BUSYBOX_IMAGE, ensureTestImage, ENTRYPOINT_IMAGE, NO_SHELL_IMAGE } from '../support/images.ts';

/**
 * One-shot containers (createOneShot + runOneShot) on the real engine: the same contract as an exec
 * in a started container. Network `none`; nothing is pulled; every object carries this suite's label.
 */

const docker = new Docker();
const SUITE = `os-${randomBytes(3).toString('hex')}`;
const never = new AbortController().signal;
const executor = new DockerExecutor({ docker, network: 'none', pullPolicy: 'never', labels: { 'pistages.suite': SUITE } });

let runCounter = 0;
function scope(): RunScope {
  runCounter += 1;
  return { runId: `${SUITE}-run${runCounter}`, job: 'One-shot test', group: 'main', attempt: 1 };
}

function request(workspace: Workspace, runScope: RunScope, overrides: Partial<ContainerSpecRequest> = {}): ContainerSpecRequest {
  return { scope: runScope, container: 0, image: BUSYBOX_IMAGE, env: { CI: 'true', SHARED: 'container' }, workspace, ...overrides };
}

function collector(): { sink: ChunkSink; stdout: () => string; stderr: () => string; chunks: () => number } {
  const parts = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  return {
    sink: (stream, chunk) => void parts[stream].push(Buffer.from(chunk)),
    stdout: () => Buffer.concat(parts.stdout).toString(),
    stderr: () => Buffer.concat(parts.stderr).toString(),
    chunks: () => parts.stdout.length + parts.stderr.length,
  };
}

/** A workspace for one test, removed with every container in `finally` by `done`. */
async function workspaceFor(overrides: Partial<ContainerSpecRequest> = {}) {
  const s = scope();
  const workspace = await executor.createWorkspace(s);
  const handles: { id: string; image: string }[] = [];
  return {
    create: async (command: ExecRequest, more: Partial<ContainerSpecRequest> = {}) => {
      const handle = await executor.createOneShot(request(workspace, s, { ...overrides, ...more }), command, never);
      handles.push(handle);
      return handle;
    },
    workspace,
    scope: s,
    handles,
    done: async () => {
      for (const handle of handles) await executor.removeContainer(handle);
      await executor.removeWorkspace(workspace);
    },
  };
}

async function leftovers(): Promise<{ containers: number; volumes: number }> {
  const filters = { label: ['pistages.managed=true', `pistages.suite=${SUITE}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const { Volumes } = await docker.listVolumes({ filters });
  return { containers: containers.length, volumes: (Volumes ?? []).length };
}

describe('DockerExecutor one-shot containers on a real engine', { concurrency: false }, () => {
  before(async () => {
    await docker.ping();
    for (const image of [BUSYBOX_IMAGE, NO_SHELL_IMAGE, ENTRYPOINT_IMAGE]) await ensureTestImage(docker, image);
  });

  afterEach(async () => {
    assert.deepEqual(await leftovers(), { containers: 0, volumes: 0 }, 'every container and volume was removed');
  });

  after(async () => {
    await reapOrphans(docker, async (runId) => !runId.startsWith(SUITE));
  });

  it('runs the command as the container\'s process: env, working directory, both streams, exit code, outputs', async () => {
    const ws = await workspaceFor();
    try {
      const script = 'echo "$CI $SHARED $STEP_ONLY"; pwd; echo oops >&2; echo version=1.2.3 >> "$PISTAGES_OUTPUT"; echo built > artifact.txt; exit 4';
      const handle = await ws.create({ command: script, env: { SHARED: 'exec', STEP_ONLY: 'a b' } });
      const inspected = await docker.getContainer(handle.id).inspect();
      assert.equal(inspected.State.Status, 'created', 'created, not started');
      assert.equal(inspected.HostConfig.LogConfig?.Type, 'none', 'the engine keeps no copy of the output');
      assert.deepEqual(inspected.Config.Entrypoint, ['sh', '-e', '-c', script]);
      const out = collector();
      const result = await executor.runOneShot(handle, out.sink, never);
      assert.equal(result.exitCode, 4);
      assert.deepEqual(result.outputs, { version: '1.2.3' }, 'outputs are read back after the command exited');
      assert.equal(out.stdout(), 'true exec a b\n/workspace\n');
      assert.equal(out.stderr(), 'oops\n');
      // the workspace is the group's: a later container sees the file
      const reader = await ws.create({ command: 'cat artifact.txt', env: {} }, { container: 1 });
      const read = collector();
      assert.equal((await executor.runOneShot(reader, read.sink, never)).exitCode, 0);
      assert.equal(read.stdout(), 'built\n');
    } finally {
      await ws.done();
    }
  });

  it("ignores the image's own entrypoint", async () => {
    const ws = await workspaceFor({ image: ENTRYPOINT_IMAGE });
    try {
      const out = collector();
      const result = await executor.runOneShot(await ws.create({ command: 'echo alive', env: {} }), out.sink, never);
      assert.deepEqual([result.exitCode, out.stdout()], [0, 'alive\n']);
    } finally {
      await ws.done();
    }
  });

  it('fails a successful command with malformed outputs as the job\'s error, and keeps a failed command\'s exit code', async () => {
    const ws = await workspaceFor();
    try {
      const ok = await ws.create({ command: 'echo no-equals-sign >> "$PISTAGES_OUTPUT"', env: {} });
      await assert.rejects(executor.runOneShot(ok, collector().sink, never), (err: unknown) => err instanceof ExecutorError && err.kind === 'job');
      const failed = await ws.create({ command: 'echo no-equals-sign >> "$PISTAGES_OUTPUT"; exit 2', env: {} }, { container: 1 });
      assert.equal((await executor.runOneShot(failed, collector().sink, never)).exitCode, 2);
    } finally {
      await ws.done();
    }
  });

  it('waits for the exit when the command closes its output first', async () => {
    const ws = await workspaceFor();
    try {
      const handle = await ws.create({ command: 'echo before; exec >&- 2>&-; sleep 1; exit 3', env: {} });
      const out = collector();
      assert.equal((await executor.runOneShot(handle, out.sink, never)).exitCode, 3);
      assert.equal(out.stdout(), 'before\n');
    } finally {
      await ws.done();
    }
  });

  it('kills the container on abort and rejects with the reason', async () => {
    const ws = await workspaceFor();
    try {
      const handle = await ws.create({ command: 'echo started; sleep 300', env: {} });
      const abort = new AbortController();
      const reason = new Error('cancelled by the test');
      const sink: ChunkSink = (_stream, chunk) => {
        if (chunk.toString().includes('started')) abort.abort(reason);
      };
      await assert.rejects(executor.runOneShot(handle, sink, abort.signal), (err: unknown) => err === reason);
      const state = (await docker.getContainer(handle.id).inspect()).State;
      assert.equal(state.Running, false, 'nothing of the command is left running');
    } finally {
      await ws.done();
    }
  });

  it('kills the container when the sink fails, and rethrows the sink\'s error', async () => {
    const ws = await workspaceFor();
    try {
      const handle = await ws.create({ command: 'while :; do echo line; done', env: {} });
      const failure = new Error('the log store is gone');
      await assert.rejects(executor.runOneShot(handle, () => Promise.reject(failure), never), (err: unknown) => err === failure);
      assert.equal((await docker.getContainer(handle.id).inspect()).State.Running, false);
    } finally {
      await ws.done();
    }
  });

  it('passes large output through a slow sink whole and in order', async () => {
    const ws = await workspaceFor();
    try {
      const handle = await ws.create({ command: 'seq 1 400000', env: {} });
      const parts: Buffer[] = [];
      const sink: ChunkSink = async (_stream, chunk) => {
        parts.push(Buffer.from(chunk));
        await new Promise((resolve) => setImmediate(resolve));
      };
      assert.equal((await executor.runOneShot(handle, sink, never)).exitCode, 0);
      const lines = Buffer.concat(parts).toString().trimEnd().split('\n');
      assert.equal(lines.length, 400_000);
      assert.equal(lines[0], '1');
      assert.equal(lines[399_999], '400000');
    } finally {
      await ws.done();
    }
  });

  it('reports an image without sh as ExecutorError(image), without the init\'s complaint in the output', async () => {
    const ws = await workspaceFor({ image: NO_SHELL_IMAGE });
    try {
      const out = collector();
      await assert.rejects(executor.runOneShot(await ws.create({ command: 'echo hi', env: {} }), out.sink, never), (err: unknown) => {
        assert.ok(err instanceof ExecutorError && err.kind === 'image', String(err));
        assert.match(err.message, /cannot run steps.*sh -e -c/s);
        return true;
      });
      assert.equal(out.chunks(), 0);
    } finally {
      await ws.done();
    }
  });

  it('refuses a command longer than Linux accepts as the job\'s error, before creating anything', async () => {
    const ws = await workspaceFor();
    try {
      await assert.rejects(ws.create({ command: `echo ${'x'.repeat(200_000)}`, env: {} }), (err: unknown) => err instanceof ExecutorError && err.kind === 'job');
      assert.equal(ws.handles.length, 0);
    } finally {
      await ws.done();
    }
  });
});
