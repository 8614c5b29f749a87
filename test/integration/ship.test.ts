import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { ROOT } from '../support/cli-process.ts';
import { BUSYBOX_IMAGE, ensureTestImage } from '../support/images.ts';
import { freePort, startTestMongo, type TestMongo } from '../support/mongo.ts';
import { waitFor } from '../support/wait.ts';

/**
 * What ships besides the code: docker-compose.yml with .env.example, read by Debian's
 * `docker-compose` (scripts/setup.sh installs it), and the Dockerfile's build and start commands,
 * replayed outside Docker (no registry here to build the image from): the same files copied, the
 * same build, the same entrypoint started as the image would, answering its own health check.
 */
const run = promisify(execFile);
const cleanEnv = (): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PISTAGES_') && k !== 'MONGODB_URI'));

interface Instruction {
  stage: number;
  op: string;
  args: string;
}

async function dockerfile(): Promise<Instruction[]> {
  const text = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
  const instructions: Instruction[] = [];
  let stage = -1;
  for (const line of text.split('\n')) {
    const match = /^([A-Z]+)\s+(.*)$/.exec(line.trim());
    if (!match || line.trim().startsWith('#')) continue;
    const [, op, args] = match as unknown as [string, string, string];
    if (op === 'FROM') stage++;
    instructions.push({ stage, op, args });
  }
  return instructions;
}

describe('docker-compose.yml with .env.example', () => {
  test('docker-compose config accepts it, and names a required variable that is missing', async () => {
    const ok = await run('docker-compose', ['--env-file', '.env.example', '-f', 'docker-compose.yml', 'config'], { cwd: ROOT, env: cleanEnv() }).catch((err: unknown) => {
      throw new Error(`docker-compose config failed (install it with scripts/setup.sh): ${String(err)}`);
    });
    assert.match(ok.stdout, /PISTAGES_API_TOKEN: replace-me/);
    const dir = await mkdtemp(join(tmpdir(), 'pistages-compose-'));
    try {
      const partial = (await readFile(join(ROOT, '.env.example'), 'utf8')).replace(/^PISTAGES_API_TOKEN=.*$/m, '');
      await writeFile(join(dir, 'partial.env'), partial);
      await assert.rejects(
        run('docker-compose', ['--env-file', join(dir, 'partial.env'), '-f', 'docker-compose.yml', 'config'], { cwd: ROOT, env: cleanEnv() }),
        (err: { stderr?: string }) => /PISTAGES_API_TOKEN/.test(err.stderr ?? ''),
      );
      // an unedited DOCKER_GID is a group name no image has: the engine refuses the container
      await ensureTestImage(new Dockerode(), BUSYBOX_IMAGE);
      const gid = /^DOCKER_GID=(.*)$/m.exec(await readFile(join(ROOT, '.env.example'), 'utf8'))?.[1];
      assert.match(ok.stdout, new RegExp(`group_add:\\n\\s*- ${gid}\\n`));
      await assert.rejects(
        run('docker', ['run', '--rm', '--network', 'none', '--group-add', gid ?? '', BUSYBOX_IMAGE, 'true']),
        (err: { stderr?: string }) => new RegExp(`find group ${gid}`).test(err.stderr ?? ''),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('base images', () => {
  test('are pinned by digest, each with the command that refreshes the digest', async () => {
    const files = { Dockerfile: /^(?:ARG\s+\w+=|FROM\s+)([^\s$]+)/gm, 'docker-compose.yml': /^\s+image:\s+(\S+)/gm };
    let pinned = 0;
    for (const [file, pattern] of Object.entries(files)) {
      const text = await readFile(join(ROOT, file), 'utf8');
      for (const [, image] of text.matchAll(pattern) as IterableIterator<[string, string]>) {
        if (image.startsWith('pistages:')) continue; // built here
        assert.match(image, /^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/, `${file}: ${image} is pinned as name:tag@sha256:<digest>`);
        const name = image.split('@')[0] as string;
        assert.ok(text.includes(`imagetools inspect ${name}`) && text.includes(`docker pull ${name}`), `${file}: the refresh command for ${name} is written next to it`);
        pinned++;
      }
    }
    assert.equal(pinned, 2, 'node (Dockerfile) and mongo (docker-compose.yml)');
  });
});

describe('the Dockerfile', { timeout: 180_000 }, () => {
  let mongo: TestMongo;
  let app: string;
  before(async () => {
    mongo = await startTestMongo();
    app = await mkdtemp(join(tmpdir(), 'pistages-image-'));
  });
  after(async () => {
    await rm(app, { recursive: true, force: true });
    await mongo.close();
  });

  test('copies what exists, builds with the project\'s build script, ships what package.json ships', async () => {
    const steps = await dockerfile();
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; files: string[] };
    const copies = steps.filter((s) => s.op === 'COPY' && !s.args.startsWith('--from'));
    for (const copy of copies) {
      for (const source of copy.args.split(/\s+/).slice(0, -1)) assert.ok(existsSync(join(ROOT, source)), `COPY ${source}: no such file in the repository`);
    }
    const builds = steps.filter((s) => s.op === 'RUN').flatMap((s) => [...s.args.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1] as string));
    assert.ok(builds.includes('build'), 'the image builds with `npm run build`');
    for (const script of builds) assert.ok(pkg.scripts[script], `RUN npm run ${script}: package.json has no such script`);
    const config = /-p\s+(\S+)/.exec(pkg.scripts.build ?? '')?.[1];
    assert.ok(config && copies.some((c) => c.args.split(/\s+/).includes(config)), `the build's ${config} is copied into the build stage`);
    const outDir = (JSON.parse(await readFile(join(ROOT, config), 'utf8')) as { compilerOptions: { outDir: string } }).compilerOptions.outDir;
    const final = steps.filter((s) => s.stage === Math.max(...steps.map((x) => x.stage)));
    // what lands in /app: the sources of a plain COPY, the destination of a COPY from the build stage
    const shipped = final.filter((s) => s.op === 'COPY').flatMap((s) => {
      const words = s.args.split(/\s+/);
      return (s.args.startsWith('--from') ? words.slice(-1) : words.slice(0, -1)).map((w) => w.replace(/^\.\//, ''));
    });
    assert.ok(final.some((s) => s.op === 'COPY' && s.args.includes(`/app/${outDir}`)), `the final stage copies the build output (${outDir})`);
    for (const file of [...pkg.files, 'package.json']) assert.ok(shipped.includes(file), `the image ships ${file}, as package.json "files" does`);
  });

  test('the image\'s start command, after its build, serves and passes its own health check', async () => {
    const steps = await dockerfile();
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; files: string[] };
    // the final stage's layout: package.json and "files", the build output, the dependencies
    for (const entry of ['package.json', ...pkg.files.filter((f) => f !== 'dist')]) await cp(join(ROOT, entry), join(app, entry), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(app, 'node_modules'));
    const build = (pkg.scripts.build ?? '').split(/\s+/);
    assert.equal(build[0], 'tsc');
    await run(join(ROOT, 'node_modules', '.bin', 'tsc'), [...build.slice(1).map((a) => (a.endsWith('.json') ? join(ROOT, a) : a)), '--outDir', join(app, 'dist')], { cwd: ROOT });
    // npm runs postbuild right after build: the CLI bundle (scripts/bundle-cli.ts takes the dist folder to write into)
    const [postbuild, ...postArgs] = (pkg.scripts.postbuild ?? '').split(/\s+/);
    assert.equal(postbuild, 'node', 'postbuild bundles the CLI with node');
    await run(process.execPath, [...postArgs, join(app, 'dist')], { cwd: ROOT });
    assert.ok(existsSync(join(app, 'dist', 'bundle', 'index.js')), 'the build writes the CLI bundle that bin/pistages starts');

    const json = (op: string): string[] => JSON.parse(steps.filter((s) => s.op === op).at(-1)?.args ?? '[]') as string[];
    const [command, ...args] = [...json('ENTRYPOINT'), ...json('CMD')];
    const healthcheck = /CMD\s+(.*)$/.exec(steps.find((s) => s.op === 'HEALTHCHECK')?.args ?? '')?.[1];
    assert.ok(command && healthcheck, 'the Dockerfile has an ENTRYPOINT and a HEALTHCHECK');
    const env = { ...cleanEnv(), NODE_ENV: 'production', MONGODB_URI: mongo.uri, PISTAGES_DB: `${mongo.dbName}_image`, PISTAGES_API_TOKEN: 'image-test-token-0123456789', PISTAGES_HOST: '127.0.0.1', PISTAGES_PORT: String(await freePort()), PISTAGES_NETWORK: 'none', PISTAGES_PULL_POLICY: 'never', PISTAGES_LOG_LEVEL: 'warn' };
    const server = spawn(command, args, { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | string>((resolve) => server.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
    try {
      await waitFor('the health check to pass', async () => {
        if (server.exitCode !== null) throw new Error(`the server exited: ${output}`);
        return run('sh', ['-c', healthcheck], { env }).then(() => true, () => false);
      }, { timeoutMs: 60_000, intervalMs: 250 });
      assert.doesNotMatch(output, /tsx/, 'the image runs the compiled build, not the sources');
    } finally {
      server.kill('SIGTERM');
    }
    assert.equal(await exited, 0, `the server stops cleanly on SIGTERM: ${output}`);
  });
});
