/**
 * Bundles the CLI (src/cli/index.ts) with esbuild into dist/bundle/, which bin/pistages runs when it
 * is current: one file to compile instead of hundreds of modules, so every command starts sooner.
 * Code-split along the CLI's dynamic imports, so `validate` and `plan` never load Docker, MongoDB,
 * Express or Agenda. Runs after `tsc` as npm's `postbuild`; an argument names another dist folder:
 *   node --import tsx scripts/bundle-cli.ts [dist]
 * The build fails when a check below fails; each message says what to change.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { bundleProblems } from './bundle-checks.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(resolve(process.argv[2] ?? join(ROOT, 'dist')), 'bundle');

// Bundled CommonJS code calls require() for Node's modules and the external packages below.
const REQUIRE_SHIM = 'import { createRequire as __pistagesCreateRequire } from "node:module"; const require = __pistagesCreateRequire(import.meta.url);';

/**
 * Modules that export one function and load something heavy at the top, needed only on a path the
 * CLI rarely takes: docker-modem's SSH transport (ssh2 and its crypto, for DOCKER_HOST=ssh://) and
 * dockerode's BuildKit session (gRPC and protobuf, for image builds). Each is bundled as a stub that
 * loads the real module on its first call, so a `pistages run` against a local socket never loads
 * them (~40 ms).
 */
const LOAD_ON_FIRST_CALL = [/[\\/]docker-modem[\\/]lib[\\/]ssh\.js$/, /[\\/]dockerode[\\/]lib[\\/]session\.js$/];
const EAGER = '?eager';

const loadOnFirstCall: Plugin = {
  name: 'load-on-first-call',
  setup(b) {
    b.onResolve({ filter: /\?eager$/ }, (args) => ({ path: args.path.slice(0, -EAGER.length), suffix: EAGER }));
    for (const filter of LOAD_ON_FIRST_CALL) {
      b.onLoad({ filter }, (args) => {
        if (args.suffix === EAGER) return undefined; // the real module, when the stub asks for it
        const real = JSON.stringify(`${args.path}${EAGER}`);
        return { contents: `module.exports = function () { return require(${real}).apply(this, arguments); };`, loader: 'js' };
      });
    }
  },
};

rmSync(outdir, { recursive: true, force: true }); // no chunk of an earlier build stays behind
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/cli/index.ts'],
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // ssh2 (which docker-modem loads) and its optional cpu-features load native addons from their own folders
  external: ['ssh2', 'cpu-features'],
  banner: { js: REQUIRE_SHIM },
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  plugins: [loadOnFirstCall],
  logLevel: 'warning',
});

const outputs = readdirSync(outdir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.js'))
  .map((file) => ({ file: join('bundle', file), text: readFileSync(join(outdir, file), 'utf8') }));
const problems = bundleProblems(result.metafile, outputs);
if (problems.length > 0) {
  console.error(`the CLI bundle in ${relative(ROOT, outdir)} is not usable:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`bundled the CLI into ${relative(ROOT, outdir)} (${outputs.length} files)`);
