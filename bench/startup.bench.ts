/**
 * How fast the CLI starts, as users install it (the compiled dist/, which `npm run build` makes and
 * bin/pistages runs when it is current): `pistages --help`, `validate` of a small job and a one-step
 * `pistages run`, each against a baseline measured in the same run (`node -e 0`, and the plain
 * `docker run --rm` of the same command). Targets: --help and validate ≤ 0.25 s; run ≤ 1.2× docker run.
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
const CLI = join(ROOT, 'dist', 'cli', 'index.js');
const ROUNDS = Number(process.env.STARTUP_ROUNDS ?? 11);

function build(): void {
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed');
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
  const node = median(process.execPath, ['-e', '0']);
  const help = median(process.execPath, [CLI, '--help']);
  const validate = median(process.execPath, [CLI, 'validate', job]);
  const dockerRun = median('docker', ['run', '--rm', '--network', 'none', BUSYBOX_IMAGE, 'sh', '-c', 'echo hello']);
  const run = median(process.execPath, [CLI, 'run', job, '--no-workspace', '--network', 'none', '--pull', 'never']);
  const row = (what: string, seconds: number, against: string, base: number, target: string): string =>
    `${what.padEnd(34)} ${seconds.toFixed(3).padStart(7)} s   ${(seconds / base).toFixed(2).padStart(5)}× ${against.padEnd(16)} target ${target}`;
  console.log(`median of ${ROUNDS} runs each, compiled CLI (${CLI.replace(`${ROOT}/`, '')})`);
  console.log(row('node -e 0', node, 'node -e 0', node, '—'));
  console.log(row('pistages --help', help, 'node -e 0', node, '≤ 0.25 s'));
  console.log(row('pistages validate (one job)', validate, 'node -e 0', node, '≤ 0.25 s'));
  console.log(row('docker run --rm (echo)', dockerRun, 'docker run', dockerRun, '—'));
  console.log(row('pistages run (one step, echo)', run, 'docker run', dockerRun, '≤ 1.2×'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
