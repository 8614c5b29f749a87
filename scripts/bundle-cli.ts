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
import { build } from 'esbuild';
import { bundleProblems } from './bundle-checks.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(resolve(process.argv[2] ?? join(ROOT, 'dist')), 'bundle');

// Bundled CommonJS code calls require() for Node's modules and the external packages below.
const REQUIRE_SHIM = 'import { createRequire as __pistagesCreateRequire } from "node:module"; const require = __pistagesCreateRequire(import.meta.url);';

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
