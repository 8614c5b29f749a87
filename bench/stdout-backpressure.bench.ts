/**
 * `pistages run` printing a step's 200 MB of output through a pipe into a slow reader (40 MB/s):
 * the process's peak RSS must stay ≤ 150 MB whatever `--log-cap` keeps (backpressure reaches
 * stdout: the run waits for the reader instead of queueing output in memory).
 * Measures the bundled CLI that bin/pistages runs, as users install it (it runs `npm run build` first).
 * Run: node --import tsx bench/stdout-backpressure.bench.ts   (needs a running dockerd; nothing is pulled)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { BUSYBOX_IMAGE, ensureTestImage } from '../test/support/images.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'bundle', 'index.js');
const READER_BYTES_PER_SECOND = 40 * 1024 * 1024;
const TARGET_MB = 150;

/** Peak resident memory of a live process so far, from the kernel (VmHWM), in MB. */
function peakRssMb(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined; // the process has exited
  }
}

async function measure(file: string, logCap: string): Promise<{ peakMb: number; printedMb: number; seconds: number; code: number | null }> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, 'run', file, '--no-workspace', '--network', 'none', '--pull', 'never', '--log-cap', logCap], { stdio: ['ignore', 'pipe', 'inherit'] });
  let peakMb = 0;
  const poll = setInterval(() => (peakMb = Math.max(peakMb, peakRssMb(child.pid as number) ?? 0)), 50);
  let printed = 0;
  // a reader slower than the step: it takes what its rate allows, then stops reading for a while
  child.stdout.on('data', (chunk: Buffer) => {
    printed += chunk.length;
    const due = (printed / READER_BYTES_PER_SECOND) * 1000 - (Date.now() - started);
    if (due > 5) {
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), due);
    }
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  clearInterval(poll);
  return { peakMb, printedMb: printed / 1024 / 1024, seconds: (Date.now() - started) / 1000, code };
}

await ensureTestImage(new Docker(), BUSYBOX_IMAGE);
if (spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) throw new Error('npm run build failed');
const dir = mkdtempSync(join(tmpdir(), 'pistages-stdout-bench-'));
try {
  const file = join(dir, 'loud.yaml');
  writeFileSync(file, `name: stdout bench\nimage: ${BUSYBOX_IMAGE}\nrun: yes "pistages benchmark line of output, long enough to look like a real log line" | head -c 200000000\n`);
  for (const logCap of ['10m', '1g']) {
    const { peakMb, printedMb, seconds, code } = await measure(file, logCap);
    const verdict = peakMb <= TARGET_MB ? `target ≤ ${TARGET_MB} MB: met` : `target ≤ ${TARGET_MB} MB: MISSED`;
    console.log(`--log-cap ${logCap}: 200 MB step output, ${printedMb.toFixed(0)} MB printed to a ${READER_BYTES_PER_SECOND / 1024 / 1024} MB/s reader in ${seconds.toFixed(1)} s (exit ${code}); peak RSS ${peakMb.toFixed(0)} MB (${verdict})`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
