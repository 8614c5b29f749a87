/**
 * The CLI bundle (`npm run build`'s postbuild, scripts/bundle-cli.ts), built into a package layout of
 * its own: it finds its package.json from the bundle's folder, prints what the sources print,
 * ships source maps, and `validate` and `plan` load no code of Docker, MongoDB, Express or Agenda.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import Docker from 'dockerode';
import { BIN, ROOT } from '../support/cli-process.ts';
import { BUSYBOX_IMAGE, ensureTestImage } from '../support/images.ts';

const HEAVY_MODULE = /^\/\/ (?:\S*\/)?node_modules\/(dockerode|docker-modem|mongodb|express|agenda|@agendajs\/[^/]+)\//m;

// Records every file the ESM loader resolves (the bundle's chunks) in the file named by LOADED_LOG.
const LOAD_HOOK = `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (resolved.url.startsWith('file:')) appendFileSync(process.env.LOADED_LOG, resolved.url + '\\\\n');
  return resolved;
}\`));
`;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function node(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Result> {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the CLI bundle', { timeout: 120_000 }, () => {
  let app = '';
  let bundle = '';
  before(async () => {
    app = await mkdtemp(join(tmpdir(), 'pistages-bundle-'));
    await copyFile(join(ROOT, 'package.json'), join(app, 'package.json'));
    await symlink(join(ROOT, 'node_modules'), join(app, 'node_modules'));
    await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'bundle-cli.ts'), join(app, 'dist')], { cwd: ROOT });
    bundle = join(app, 'dist', 'bundle', 'index.js');
    await writeFile(join(app, 'load-hook.mjs'), LOAD_HOOK);
    await writeFile(join(app, 'ok.yaml'), `name: Bundle check\nimage: ${BUSYBOX_IMAGE}\nrun: echo bundled\n`);
    await writeFile(join(app, 'bad.yaml'), 'name: Bad\nrun: make\nretry: -1\nuses:\n  main:\n    - dep: x\n      imgae: y\n');
  });
  after(async () => {
    await rm(app, { recursive: true, force: true });
  });

  /** the bundle's output for `args`, and the contents of every chunk file it loaded */
  async function traced(args: string[]): Promise<Result & { chunks: string[] }> {
    const log = join(app, `loaded-${args[0]}.log`);
    const result = await node(['--import', join(app, 'load-hook.mjs'), bundle, ...args], { cwd: app, env: { LOADED_LOG: log } });
    const urls = [...new Set((await readFile(log, 'utf8')).split('\n').filter((url) => url.includes('/dist/bundle/')))];
    return { ...result, chunks: await Promise.all(urls.map((url) => readFile(fileURLToPath(url), 'utf8'))) };
  }

  test('prints the version of the package.json above it, and ships source maps', async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await node([bundle, '--version'], { cwd: app });
    assert.deepEqual(result, { code: 0, stdout: `${version}\n`, stderr: '' });
    assert.match(await readFile(bundle, 'utf8'), /\n\/\/# sourceMappingURL=index\.js\.map\n$/);
    const map = JSON.parse(await readFile(`${bundle}.map`, 'utf8')) as { sources: string[] };
    assert.ok(map.sources.some((source) => source.endsWith('src/cli/index.ts')), 'the map points at the TypeScript sources');
  });

  test('validate prints exactly what the sources print, for a valid and an invalid job', async () => {
    for (const job of ['ok.yaml', 'bad.yaml']) {
      const bundled = await node([bundle, 'validate', job], { cwd: app });
      const sources = await node([BIN, 'validate', job], { cwd: app, env: { PISTAGES_FROM_SOURCE: '1' } });
      assert.deepEqual(bundled, sources, job);
      assert.equal(bundled.code, job === 'ok.yaml' ? 0 : 1, bundled.stderr);
    }
  });

  test('validate and plan load no chunk holding Docker, MongoDB, Express or Agenda code; run does load Docker', async () => {
    for (const args of [['validate', 'ok.yaml'], ['plan', 'ok.yaml']]) {
      const result = await traced(args);
      assert.equal(result.code, 0, result.stderr);
      assert.ok(result.chunks.length >= 2, `the hook saw the chunks ${args[0]} loaded`);
      const heavy = result.chunks.map((text) => HEAVY_MODULE.exec(text)?.[0]).filter(Boolean);
      assert.deepEqual(heavy, [], `${args[0]} loaded chunks holding ${heavy.join(', ')}`);
    }
    await ensureTestImage(new Docker(), BUSYBOX_IMAGE);
    const run = await traced(['run', 'ok.yaml', '--no-workspace', '--network', 'none', '--pull', 'never']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /bundled/);
    assert.ok(run.chunks.some((text) => /^\/\/ (?:\S*\/)?node_modules\/dockerode\//m.test(text)), 'the detector sees dockerode when run loads it');
  });

  test('run on the local socket never loads the SSH transport; DOCKER_HOST=ssh:// loads it on first use', async () => {
    await ensureTestImage(new Docker(), BUSYBOX_IMAGE);
    // every CommonJS module loaded by the end (external packages such as ssh2 are required)
    await writeFile(
      join(app, 'require-hook.mjs'),
      `import { appendFileSync } from 'node:fs';\nimport { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nprocess.on('exit', () => appendFileSync(process.env.REQUIRED_LOG, Object.keys(require.cache).join('\\n')));\n`,
    );
    const required = async (name: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result & { modules: string }> => {
      const file = join(app, `required-${name}.log`);
      const result = await node(['--import', join(app, 'require-hook.mjs'), bundle, ...args], { cwd: app, env: { REQUIRED_LOG: file, ...env } });
      return { ...result, modules: await readFile(file, 'utf8') };
    };
    const local = await required('local', ['run', 'ok.yaml', '--no-workspace', '--network', 'none', '--pull', 'never']);
    assert.equal(local.code, 0, local.stderr);
    assert.doesNotMatch(local.modules, /node_modules\/ssh2\//);
    // a closed loopback port: the SSH transport loads, tries, and the run says why it cannot go on
    const ssh = await required('ssh', ['run', 'ok.yaml', '--no-workspace'], { DOCKER_HOST: 'ssh://nobody@127.0.0.1:1' });
    assert.match(ssh.modules, /node_modules\/ssh2\//, 'the hook sees ssh2 once it is loaded');
    assert.equal(ssh.code, 2, ssh.stderr);
    assert.match(ssh.stderr, /cannot reach the Docker engine \(connect ECONNREFUSED 127\.0\.0\.1:1\)/);
  });
});
