/**
 * The checks that fail `npm run build` when the CLI bundle would start slowly (a light command
 * loading Docker or MongoDB) or break (a bundled module looking for files next to its own code).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Metafile } from 'esbuild';
import { fileLookupProblems, heavyLoadProblems } from '../../../scripts/bundle-checks.ts';

type Imports = Metafile['outputs'][string]['imports'];

function output(inputs: string[], imports: Imports = [], entryPoint?: string): Metafile['outputs'][string] {
  return {
    bytes: 1,
    inputs: Object.fromEntries(inputs.map((input) => [input, { bytesInOutput: 1 }])),
    imports,
    exports: [],
    ...(entryPoint ? { entryPoint } : {}),
  };
}

function metafile(shared: string[]): Metafile {
  return {
    inputs: {},
    outputs: {
      'dist/bundle/index.js': output(['src/cli/index.ts'], [
        { path: 'dist/bundle/chunks/validate.js', kind: 'dynamic-import' },
        { path: 'dist/bundle/chunks/plan.js', kind: 'dynamic-import' },
        { path: 'dist/bundle/chunks/run.js', kind: 'dynamic-import' },
      ], 'src/cli/index.ts'),
      'dist/bundle/chunks/validate.js': output(['src/cli/commands/validate.ts'], [{ path: 'dist/bundle/chunks/shared.js', kind: 'import-statement' }], 'src/cli/commands/validate.ts'),
      'dist/bundle/chunks/plan.js': output(['src/cli/commands/plan.ts'], [{ path: 'node:path', kind: 'import-statement', external: true }], 'src/cli/commands/plan.ts'),
      'dist/bundle/chunks/shared.js': output(shared),
      'dist/bundle/chunks/run.js': output(['src/cli/commands/run.ts', 'node_modules/dockerode/lib/docker.js'], [], 'src/cli/commands/run.ts'),
    },
  };
}

test('light commands pass when Docker is only in a chunk loaded by import()', () => {
  assert.deepEqual(heavyLoadProblems(metafile(['src/pipeline/parse.ts', 'node_modules/yaml/dist/index.js'])), []);
});

test('a light command that statically reaches a heavy package fails, naming the command and the package', () => {
  // a symlinked node_modules shows as its real path
  const problems = heavyLoadProblems(metafile(['src/pipeline/parse.ts', '../../srv/app/node_modules/mongodb/lib/index.js', 'node_modules/@agendajs/mongo-backend/dist/index.js']));
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? '', /^src\/cli\/commands\/validate\.ts loads mongodb, @agendajs\/mongo-backend \(first: node_modules\/mongodb\/lib\/index\.js\)/);
});

test('a light command without its own chunk (imported statically) fails with the fix', () => {
  const meta = metafile([]);
  delete meta.outputs['dist/bundle/chunks/plan.js'];
  assert.deepEqual(heavyLoadProblems(meta), ['no chunk for src/cli/commands/plan.ts: keep it a dynamic import in src/cli/index.ts, or update LIGHT_COMMANDS in scripts/bundle-checks.ts']);
});

test('__dirname or import.meta in code of a bundled module fails, unless the module is allowed; comments do not count', () => {
  const text = [
    'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);',
    '// node_modules/commander/lib/command.js',
    '   * program.executableDir(__dirname);',
    '// ../../srv/app/node_modules/pino/lib/transport.js',
    '    target = join(__dirname, "worker.js");',
    '// node_modules/some-lib/index.js',
    '  const templates = path.join(__dirname, "templates");',
    '// src/web/assets.ts',
    'const css = new URL("./style.css", import.meta.url);',
    '// src/cli/index.ts',
    'const dirnameOfIt = obj.__dirname;',
  ].join('\n');
  const problems = fileLookupProblems({ file: 'bundle/chunks/a.js', text });
  assert.deepEqual(problems.map((p) => p.split(' ')[0]), ['node_modules/some-lib/index.js', 'src/web/assets.ts']);
  assert.match(problems[0] ?? '', /\(in bundle\/chunks\/a\.js\).*mark its package external in scripts\/bundle-cli\.ts/);
});
