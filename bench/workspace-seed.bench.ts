/**
 * `pistages run` copying a work tree into the groups' workspaces (JOB-FORMAT.md: the checkout in
 * /workspace). A git work tree of 10,000 files, 100 MB:
 *   (a) listed, packed and seeded into 4 workspaces (overlays on one copy) vs `tar -c | docker cp`
 *       of the same tree into one container                                        (target ≤ 1.5×)
 *   (b) the fallback for engines without overlays: a full copy into each of the 4 (ratio reported)
 * Run: node --import tsx bench/workspace-seed.bench.ts   (needs a running dockerd; nothing is pulled)
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { packTree } from '../src/cli/pack-tree.ts';
import { findWorkTree, listWorkTree } from '../src/cli/work-tree.ts';
import { seedWorkspaces } from '../src/executor/docker/workspace-seed.ts';
import { BUSYBOX_IMAGE, ensureTestImage } from '../test/support/images.ts';

const docker = new Docker();
const GROUPS = 4;
const ROUNDS = 3;
const tag = randomBytes(3).toString('hex');

function makeTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'pistages-seed-bench-'));
  for (let d = 0; d < 100; d++) {
    mkdirSync(join(root, `dir${d}`));
    for (let f = 0; f < 100; f++) writeFileSync(join(root, `dir${d}`, `file${f}.txt`), randomBytes(10_000));
  }
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=b@example.com', '-c', 'user.name=b', ...args], { cwd: root, stdio: 'ignore' });
  git('init', '--quiet', '.');
  git('add', '-A');
  git('commit', '--quiet', '-m', 'tree');
  return root;
}

async function time(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The baseline: what a user would type to copy the tree into one container. */
async function dockerCp(root: string, round: number): Promise<number> {
  const volume = `pistages-bench-${tag}-cp-${round}`;
  await docker.createVolume({ Name: volume });
  const container = await docker.createContainer({ Image: BUSYBOX_IMAGE, Cmd: ['true'], HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'volume', Source: volume, Target: '/workspace' }] } });
  try {
    return await time(
      () =>
        new Promise<void>((resolve, reject) => {
          const shell = spawn('sh', ['-c', `tar -c --exclude=.git . | docker cp - ${container.id}:/workspace`], { cwd: root, stdio: 'inherit' });
          shell.on('error', reject);
          shell.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar | docker cp exited with ${code}`))));
        }),
    );
  } finally {
    await container.remove({ force: true });
    await docker.getVolume(volume).remove();
  }
}

/** What `pistages run` does before the groups' first steps: list, pack, seed, make the workspaces. */
async function seed(root: string, round: number, copyOnly: boolean): Promise<number> {
  const names = Array.from({ length: GROUPS }, (_, g) => `pistages-bench-${tag}-${copyOnly ? 'copy' : 'ov'}-${round}-g${g}`);
  let dispose = async (): Promise<void> => {};
  try {
    return await time(async () => {
      const tree = await findWorkTree(join(root, 'job.yaml'));
      const paths = await listWorkTree(tree);
      const source = await seedWorkspaces(docker, { runId: `bench-${tag}-${round}`, job: 'bench', labels: {}, archive: () => packTree(tree.root, paths), log: console.log, copyOnly });
      dispose = () => source.dispose();
      await Promise.all(names.map((name) => source.createVolume(name, { 'pistages.managed': 'true', 'pistages.run': `bench-${tag}` })));
    });
  } finally {
    await checkFilled(names[0] as string);
    for (const name of names) await docker.getVolume(name).remove();
    await dispose();
  }
}

/** A workspace must really hold the tree: count its files from inside a container. */
async function checkFilled(volume: string): Promise<void> {
  const container = await docker.createContainer({ Image: BUSYBOX_IMAGE, Cmd: ['sh', '-c', 'find /workspace -type f | wc -l'], HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'volume', Source: volume, Target: '/workspace' }] } });
  try {
    await container.start();
    await container.wait();
    const logs = (await container.logs({ stdout: true })).toString('latin1');
    if (!/\b10000\b/.test(logs)) throw new Error(`workspace ${volume} does not hold the 10,000 files: ${logs}`);
  } finally {
    await container.remove({ force: true });
  }
}

await ensureTestImage(docker, BUSYBOX_IMAGE);
const root = makeTree();
try {
  await dockerCp(root, -1); // warm caches alike for both
  const figures = { cp: [] as number[], overlay: [] as number[], copy: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    figures.cp.push(await dockerCp(root, round));
    figures.overlay.push(await seed(root, round, false));
    figures.copy.push(await seed(root, round, true));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const cp = median(figures.cp);
  const show = (name: string, ms: number, target?: number) => {
    const ratio = ms / cp;
    const verdict = target === undefined ? '' : ratio <= target ? `  (target ≤ ${target}×: met)` : `  (target ≤ ${target}×: MISSED)`;
    console.log(`${name}: ${ms.toFixed(0)} ms vs tar | docker cp into one container ${cp.toFixed(0)} ms: ${ratio.toFixed(2)}×${verdict}`);
  };
  console.log(`medians of ${ROUNDS} interleaved rounds; all: ${JSON.stringify(figures)}`);
  show(`(a) 10,000 files, 100 MB into ${GROUPS} workspaces`, median(figures.overlay), 1.5);
  show(`(b) the same, a full copy per workspace (engines without overlays)`, median(figures.copy));
} finally {
  rmSync(root, { recursive: true, force: true });
}
