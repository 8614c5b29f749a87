/**
 * How fast the CLI starts, as users install it (the bundle dist/bundle/, which `npm run build` makes and
 * bin/pistages runs when it is current): `pistages --help`, `validate` of a small job and a one-step
 * `pistages run`, each against a baseline measured in the same run (`node -e 0`, and the plain
 * `docker run --rm` of the same command). Targets: --help and validate ≤ 0.25 s; run ≤ 1.2× docker run.
 * The floor row is the least any Node program can do for that run: a script that only creates
 * (network none), starts, waits for and removes the same container over the Docker socket.
 * Run: node --import tsx bench/startup.bench.ts   (needs a running dockerd; nothing is pulled)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { BUSYBOX_IMAGE, ensureTestImage } from '../test/support/images.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'bundle', 'index.js');
/** the same CLI compiled file by file (tsc), for the bundle's gain */
const UNBUNDLED = join(ROOT, 'dist', 'cli', 'index.js');
const ROUNDS = Number(process.env.STARTUP_ROUNDS ?? 11);

function build(): void {
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed');
}

/** create (network none) + start + wait + remove of one container through the engine's API, nothing else */
function floorScript(image: string): string {
  const socket = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice('unix://'.length) : '/var/run/docker.sock';
  return `import { Agent, request } from 'node:http';
const agent = new Agent({ keepAlive: true });
const call = (method, path, body) => new Promise((resolve, reject) => {
  const req = request({ socketPath: ${JSON.stringify(socket)}, agent, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
    let text = '';
    res.setEncoding('utf8').on('data', (chunk) => (text += chunk)).on('end', () =>
      res.statusCode < 300 ? resolve(text ? JSON.parse(text) : undefined) : reject(new Error(method + ' ' + path + ': ' + res.statusCode + ' ' + text)));
  });
  req.on('error', reject);
  req.end(body === undefined ? undefined : JSON.stringify(body));
});
const { Id } = await call('POST', '/containers/create', { Image: ${JSON.stringify(image)}, Cmd: ['sh', '-c', 'echo hello'], HostConfig: { NetworkMode: 'none' } });
await call('POST', '/containers/' + Id + '/start');
const { StatusCode } = await call('POST', '/containers/' + Id + '/wait');
await call('DELETE', '/containers/' + Id + '?v=1');
agent.destroy();
process.exit(StatusCode);
`;
}

/** median wall time of `rounds` runs of the command, in seconds; throws when it exits non-zero */
function median(command: string, args: string[], rounds = ROUNDS): number {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
    times.push(seconds);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

const docker = new Docker();
await ensureTestImage(docker, BUSYBOX_IMAGE);
build();
const dir = mkdtempSync(join(tmpdir(), 'pistages-startup-'));
try {
  const job = join(dir, 'job.yaml');
  writeFileSync(job, `name: One step\nimage: ${BUSYBOX_IMAGE}\nrun: echo hello\n`);
  const floorFile = join(dir, 'floor.mjs');
  writeFileSync(floorFile, floorScript(BUSYBOX_IMAGE));
  const node = median(process.execPath, ['-e', '0']);
  const help = median(process.execPath, [CLI, '--help']);
  const validate = median(process.execPath, [CLI, 'validate', job]);
  const dockerRun = median('docker', ['run', '--rm', '--network', 'none', BUSYBOX_IMAGE, 'sh', '-c', 'echo hello']);
  const floor = median(process.execPath, [floorFile]);
  const runArgs = ['run', job, '--no-workspace', '--network', 'none', '--pull', 'never'];
  const run = median(process.execPath, [CLI, ...runArgs]);
  const validateUnbundled = median(process.execPath, [UNBUNDLED, 'validate', job]);
  const runUnbundled = median(process.execPath, [UNBUNDLED, ...runArgs]);
  const row = (what: string, seconds: number, against: string, base: number, target: string): string =>
    `${what.padEnd(34)} ${seconds.toFixed(3).padStart(7)} s   ${(seconds / base).toFixed(2).padStart(5)}× ${against.padEnd(16)} target ${target}`;
  console.log(`median of ${ROUNDS} runs each, bundled CLI (${CLI.replace(`${ROOT}/`, '')})`);
  console.log(row('node -e 0', node, 'node -e 0', node, '—'));
  console.log(row('pistages --help', help, 'node -e 0', node, '≤ 0.25 s'));
  console.log(row('pistages validate (one job)', validate, 'node -e 0', node, '≤ 0.25 s'));
  console.log(row('docker run --rm (echo)', dockerRun, 'docker run', dockerRun, '—'));
  console.log(row('floor: node, API create…remove', floor, 'docker run', dockerRun, '—'));
  console.log(row('pistages run (one step, echo)', run, 'docker run', dockerRun, '≤ 1.2×'));
  console.log(row('validate, unbundled dist/cli', validateUnbundled, 'node -e 0', node, '—'));
  console.log(row('run, unbundled dist/cli', runUnbundled, 'docker run', dockerRun, '—'));
  console.log(`pistages run is ${(run / floor).toFixed(2)}× the floor (${((run - floor) * 1000).toFixed(0)} ms above it)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
