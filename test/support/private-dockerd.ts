import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import Docker from 'dockerode';
import { waitFor } from './wait.ts';

/**
 * A Docker engine of the test's own (never the machine's): a second `dockerd` with its own socket,
 * data root, exec root (so its own containerd) and pid file, no bridge, no iptables rules. It can
 * be stopped, killed and started again on the same directories, as an operator restarting the
 * engine would. Needs root and a `dockerd` on the PATH; `available()` says why not otherwise.
 */
export interface PrivateDockerd {
  /** DOCKER_HOST for processes that should use this engine */
  host: string;
  docker: Docker;
  pid(): number | undefined;
  /** SIGTERM (containers get `shutdown-timeout` to stop) or SIGKILL, and the exit */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** starts it again on the same directories; resolves when it answers */
  start(): Promise<void>;
  /** copies `image` from the machine's engine: `docker save image | docker -H <this> load` */
  load(image: string): Promise<void>;
  /** the tail of its log, for failure messages */
  output(): string;
  /** stops it and removes its directories */
  dispose(): Promise<void>;
}

/** undefined when a second dockerd can run here, else why not */
export function whyNoPrivateDockerd(): string | undefined {
  if (process.getuid?.() !== 0) return 'a second dockerd needs root';
  try {
    execFileSync('dockerd', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'no dockerd on the PATH';
  }
  return undefined;
}

export async function startPrivateDockerd(): Promise<PrivateDockerd> {
  const root = await mkdtemp(join(tmpdir(), 'pistages-dockerd-'));
  const socket = join(root, 'docker.sock');
  const args = [
    `--host=unix://${socket}`,
    `--data-root=${join(root, 'data')}`,
    `--exec-root=${join(root, 'exec')}`,
    `--pidfile=${join(root, 'docker.pid')}`,
    '--bridge=none',
    '--iptables=false',
    '--ip-masq=false',
    '--ip6tables=false',
    '--shutdown-timeout=2',
  ];
  const docker = new Docker({ socketPath: socket });
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let log = '';

  const start = async (): Promise<void> => {
    const started = spawn('dockerd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => {
      log = (log + chunk.toString()).slice(-20_000);
    };
    started.stdout?.on('data', keep);
    started.stderr?.on('data', keep);
    child = started;
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    await waitFor('the private dockerd to answer', async () => {
      if (started.exitCode !== null) throw new Error(`dockerd exited with ${started.exitCode}:\n${log}`);
      await docker.ping();
      return true;
    }, { timeoutMs: 60_000, intervalMs: 100 });
  };

  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    if (signal === 'SIGKILL') await stopOrphanedContainerd(root);
  };

  await start();
  return {
    host: `unix://${socket}`,
    docker,
    pid: () => child?.pid,
    stop,
    start,
    output: () => log,
    load: async (image) => {
      await new Promise<void>((resolve, reject) => {
        const save = spawn('docker', ['save', image], { stdio: ['ignore', 'pipe', 'inherit'] });
        const load = spawn('docker', ['-H', `unix://${socket}`, 'load', '--quiet'], { stdio: ['pipe', 'ignore', 'inherit'] });
        save.stdout.pipe(load.stdin);
        save.on('error', reject);
        load.on('error', reject);
        load.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker load of ${image} into the private engine exited with ${String(code)}`))));
      });
    },
    async dispose() {
      await stop('SIGTERM');
      await stopOrphanedContainerd(root);
      unmountUnder(root);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * A SIGKILLed dockerd's containerd dies with it but may stay a zombie (nothing reaps it where pid 1
 * does not), and the next dockerd then waits for that "still running" containerd: wait for it to
 * go and remove its pid file.
 */
async function stopOrphanedContainerd(root: string): Promise<void> {
  const pidFile = join(root, 'exec', 'containerd', 'containerd.pid');
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  const state = async (): Promise<string> => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    return stat === '' ? 'gone' : (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? 'gone');
  };
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  // only the containerd of this engine (its config lives under our exec root)
  if (cmdline.includes(join(root, 'exec'))) process.kill(pid, 'SIGTERM');
  await waitFor(`containerd ${pid} to exit`, async () => ['gone', 'Z', 'X'].includes(await state()), { timeoutMs: 20_000, intervalMs: 50 });
  await rm(pidFile, { force: true });
}

/** Lazily unmounts whatever the engine left mounted under `root` (overlays, shm), deepest first. */
function unmountUnder(root: string): void {
  const mounts = execFileSync('cat', ['/proc/self/mounts'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((path) => path.startsWith(`${root}/`))
    .sort((a, b) => b.length - a.length);
  for (const path of mounts) {
    try {
      execFileSync('umount', ['-l', path], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}
