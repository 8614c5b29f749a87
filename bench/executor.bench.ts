/**
 * DockerExecutor overhead against doing the same with the engine directly.
 *   (a) 50 trivial execs in one container      vs a raw dockerode exec loop     (target ≤ 1.15×)
 *   (b) 20 new-container steps (start+exec+rm) vs `docker run --rm`              (ratio reported)
 *       and the same as one-shot containers (create+run+rm: a step no later step shares)
 *   (c) a step printing 200 MB                  vs `docker run … > /dev/null`   (peak RSS ≤ 150 MB)
 * Run: node --import tsx bench/executor.bench.ts   (needs a running dockerd; nothing is pulled)
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { DockerExecutor } from '../src/executor/docker/docker-executor.ts';
import type { ChunkSink, ContainerHandle, RunScope } from '../src/executor/executor.ts';
import { BUSYBOX_IMAGE, ensureTestImage } from '../test/support/images.ts';

const run = promisify(execFile);
const docker = new Docker();
const never = new AbortController().signal;
const discard: ChunkSink = () => {};
const scope: RunScope = { runId: `bench-${randomBytes(3).toString('hex')}`, job: 'bench', group: 'main', attempt: 1 };
const executor = new DockerExecutor({ docker, network: 'none', pullPolicy: 'if-not-present' });

async function time(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function report(name: string, ours: number, raw: number, target?: number): void {
  const ratio = ours / raw;
  const verdict = target === undefined ? '' : ratio <= target ? `  (target ≤ ${target}: met)` : `  (target ≤ ${target}: MISSED)`;
  console.log(`${name}: executor ${ours.toFixed(0)} ms, raw ${raw.toFixed(0)} ms, ratio ${ratio.toFixed(2)}×${verdict}`);
}

/** What a caller of dockerode alone would write: create, start, drain, inspect. */
async function rawExec(container: Docker.Container, command: string): Promise<number> {
  const exec = await container.exec({ Cmd: ['sh', '-e', '-c', command], AttachStdout: true, AttachStderr: true, WorkingDir: '/workspace' });
  const stream = await exec.start({});
  await new Promise<void>((resolve, reject) => {
    const sink = new PassThrough().resume();
    docker.modem.demuxStream(stream, sink, sink);
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  return (await exec.inspect()).ExitCode ?? -1;
}

/** Alternates the two variants round by round so drift on a shared machine hits both alike. */
async function compare(rounds: number, ours: () => Promise<void>, raw: () => Promise<void>): Promise<[number, number]> {
  let a = 0;
  let b = 0;
  for (let i = 0; i < rounds; i++) {
    b += await time(raw);
    a += await time(ours);
  }
  return [a, b];
}

async function benchExecs(workspace: { id: string }): Promise<void> {
  const handle = await executor.startContainer({ scope, container: 0, image: BUSYBOX_IMAGE, env: {}, workspace }, never);
  const container = docker.getContainer(handle.id);
  try {
    for (let i = 0; i < 5; i++) {
      await executor.exec(handle, { command: 'true', env: {} }, discard, never);
      await rawExec(container, 'true');
    }
    const [ours, raw] = await compare(
      5,
      async () => {
        for (let i = 0; i < 10; i++) await executor.exec(handle, { command: 'echo step', env: { STEP: String(i) } }, discard, never);
      },
      async () => {
        for (let i = 0; i < 10; i++) await rawExec(container, 'echo step');
      },
    );
    report('(a) 50 trivial execs', ours, raw, 1.15);
    console.log(`    per exec: executor ${(ours / 50).toFixed(1)} ms, raw ${(raw / 50).toFixed(1)} ms`);
  } finally {
    await executor.removeContainer(handle);
  }
}

async function step(workspace: { id: string }, n: number, command: string, sink: ChunkSink): Promise<void> {
  const handle: ContainerHandle = await executor.startContainer({ scope, container: n, image: BUSYBOX_IMAGE, env: {}, workspace }, never);
  try {
    await executor.exec(handle, { command, env: {} }, sink, never);
  } finally {
    await executor.removeContainer(handle);
  }
}

/** A step as a one-shot container: what run-step does for a container no later step uses. */
async function oneShotStep(workspace: { id: string }, n: number, command: string, sink: ChunkSink): Promise<void> {
  const handle = await executor.createOneShot({ scope, container: n, image: BUSYBOX_IMAGE, env: {}, workspace }, { command, env: {} }, never);
  try {
    await executor.runOneShot(handle, sink, never);
  } finally {
    await executor.removeContainer(handle);
  }
}

async function benchContainers(workspace: { id: string }): Promise<void> {
  const dockerRun = (command: string) => run('docker', ['run', '--rm', '--network', 'none', BUSYBOX_IMAGE, 'sh', '-e', '-c', command]);
  await step(workspace, 0, 'true', discard);
  await dockerRun('true');
  let n = 1;
  /** 4 rounds of 5 steps each way, alternating, against `docker run --rm` of the same command */
  const againstDockerRun = async (label: string, oneStep: typeof step): Promise<void> => {
    const [ours, raw] = await compare(
      4,
      async () => {
        for (let i = 0; i < 5; i++) await oneStep(workspace, n++, 'echo step', discard);
      },
      async () => {
        for (let i = 0; i < 5; i++) await dockerRun('echo step');
      },
    );
    report(label, ours, raw);
    console.log(`    per step: executor ${(ours / 20).toFixed(0)} ms, docker run --rm ${(raw / 20).toFixed(0)} ms`);
  };
  await againstDockerRun('(b) 20 new-container steps', step);
  await againstDockerRun('(b1) 20 one-shot container steps', oneShotStep);

  // The same lifecycle (keep-alive container + exec + force remove) in bare dockerode: separates
  // the cost of the design (an exec instead of the main process) from the executor's own overhead.
  const bare = async (): Promise<void> => {
    const container = await docker.createContainer({
      Image: BUSYBOX_IMAGE,
      Entrypoint: ['sh', '-c', 'read -r _'],
      OpenStdin: true,
      HostConfig: { Init: true, NetworkMode: 'none', Mounts: [{ Type: 'volume', Source: workspace.id, Target: '/workspace' }] },
    });
    await container.start();
    await rawExec(container, 'echo step');
    await container.remove({ force: true });
  };
  const [ours2, bareTotal] = await compare(
    4,
    async () => {
      for (let i = 0; i < 5; i++) await step(workspace, n++, 'echo step', discard);
    },
    async () => {
      for (let i = 0; i < 5; i++) await bare();
    },
  );
  report('(b2) same steps vs bare dockerode create+start+exec+rm', ours2, bareTotal);
}

async function benchBigOutput(workspace: { id: string }): Promise<void> {
  const command = 'yes "pistages benchmark line of output" | head -c 200000000';
  let bytes = 0;
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const count: ChunkSink = (_stream, chunk) => {
    bytes += chunk.length;
  };
  try {
    const ours = await time(() => step(workspace, 1000, command, count));
    const raw = await time(async () => {
      await run('sh', ['-c', `docker run --rm --network none ${BUSYBOX_IMAGE} sh -c '${command}' > /dev/null`]);
    });
    report('(c) 200 MB step', ours, raw);
    if (bytes !== 200_000_000) throw new Error(`received ${bytes} bytes, expected 200000000`);
    const peakMb = peak / 1024 / 1024;
    console.log(`    peak RSS of this process: ${peakMb.toFixed(0)} MB  (target ≤ 150 MB: ${peakMb <= 150 ? 'met' : 'MISSED'})`);
  } finally {
    clearInterval(timer);
  }
}

await ensureTestImage(docker, BUSYBOX_IMAGE);
const workspace = await executor.createWorkspace(scope);
try {
  await benchExecs(workspace);
  await benchContainers(workspace);
  await benchBigOutput(workspace);
} finally {
  await executor.removeWorkspace(workspace);
}
