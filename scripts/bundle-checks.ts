/**
 * What the CLI bundle (scripts/bundle-cli.ts) must hold to, checked on esbuild's metafile and the
 * written files: light commands load no heavy dependency, and no bundled module looks for files
 * next to its own code (a bundled module no longer sits where its files are).
 */
import type { Metafile } from 'esbuild';

/** Commands that must start without the server's dependencies, by their module. */
export const LIGHT_COMMANDS = ['src/cli/commands/validate.ts', 'src/cli/commands/plan.ts'] as const;

/** Packages only running jobs or serving needs: tens of milliseconds to load. */
export const HEAVY_PACKAGE = /^node_modules\/(dockerode|docker-modem|mongodb|express|agenda|@agendajs\/[^/]+)\//;

/**
 * Bundled modules that do use `__dirname` or `import.meta`, each on a path Pistages never takes;
 * the reason says why. Anything else fails the build.
 */
export const FILE_LOOKUPS_ALLOWED: Record<string, string> = {
  'src/package-root.ts': 'walks up from the bundle to package.json, wherever the bundle is',
  'node_modules/dockerode/lib/session.js': 'registry credentials of image builds (buildImage); Pistages never builds images',
  'node_modules/dockerode/lib/buildkit.js': 'BuildKit build progress; Pistages never builds images',
  'node_modules/@grpc/grpc-js/build/src/channelz.js': 'gRPC channelz service, only for dockerode image builds',
  'node_modules/@grpc/grpc-js/build/src/orca.js': 'gRPC load reporting (ORCA), only for dockerode image builds',
  'node_modules/@grpc/proto-loader/build/src/index.js': 'loads .proto files for gRPC, only for dockerode image builds',
  'node_modules/pino/lib/transport.js': 'pino transports in worker threads; Pistages logs to a stream in-process',
  'node_modules/thread-stream/index.js': 'the worker thread of pino transports, not used',
};

export interface BundleOutput {
  /** path of the written file, for messages */
  file: string;
  text: string;
}

/** A module path as the lists above write it: from the last `node_modules/` on (the project's node_modules may be a symlink). */
export function modulePath(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  return at === -1 ? path : path.slice(at);
}

export function bundleProblems(meta: Metafile, outputs: readonly BundleOutput[]): string[] {
  return [...heavyLoadProblems(meta), ...outputs.flatMap(fileLookupProblems)];
}

/** Each light command, with the entry chunk and every chunk either statically imports, loads no heavy package. */
export function heavyLoadProblems(meta: Metafile): string[] {
  const byEntry = new Map(Object.entries(meta.outputs).flatMap(([out, o]) => (o.entryPoint ? [[o.entryPoint, out] as const] : [])));
  const entry = byEntry.get('src/cli/index.ts');
  if (entry === undefined) return ['no output for src/cli/index.ts: bundle the CLI from that entry point'];
  return LIGHT_COMMANDS.flatMap((command) => {
    const chunk = byEntry.get(command);
    if (chunk === undefined) return [`no chunk for ${command}: keep it a dynamic import in src/cli/index.ts, or update LIGHT_COMMANDS in scripts/bundle-checks.ts`];
    const heavy = [...eagerInputs(meta, [entry, chunk])].map(modulePath).filter((input) => HEAVY_PACKAGE.test(input));
    const packages = [...new Set(heavy.map((input) => HEAVY_PACKAGE.exec(input)?.[1]))];
    return packages.length === 0
      ? []
      : [`${command} loads ${packages.join(', ')} (first: ${heavy[0]}); import them only from modules it loads with import()`];
  });
}

/** the input modules of `outputs` and of every chunk they import statically, transitively */
function eagerInputs(meta: Metafile, outputs: readonly string[]): Set<string> {
  const pending = [...outputs];
  const seen = new Set<string>();
  const inputs = new Set<string>();
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const output = meta.outputs[next];
    if (seen.has(next) || output === undefined) continue;
    seen.add(next);
    for (const input of Object.keys(output.inputs)) inputs.add(input);
    for (const imported of output.imports) if (imported.kind === 'import-statement' && !imported.external) pending.push(imported.path);
  }
  return inputs;
}

/**
 * `__dirname`, `__filename` and `import.meta` in code (not comments) of a bundled module that is not
 * allowed. esbuild writes a `// <path>` line before each module's code; line 1 is the require shim.
 */
export function fileLookupProblems({ file, text }: BundleOutput): string[] {
  const found = new Set<string>();
  let module = '(bundle)';
  for (const [index, line] of text.split('\n').entries()) {
    const start = /^\/\/ (\S+\/\S+\.(?:[cm]?[jt]s|json))$/.exec(line);
    if (start) module = modulePath(start[1] as string);
    else if (index > 0 && !/^\s*(\*|\/\/|\/\*)/.test(line) && /(?<![\w$.])(__dirname|__filename|import\.meta)(?![\w$])/.test(line)) found.add(module);
  }
  return [...found]
    .filter((module) => !(module in FILE_LOOKUPS_ALLOWED))
    .map((module) => `${module} (in ${file}) looks for files next to its own code, which moves when bundled: mark its package external in scripts/bundle-cli.ts, or, if Pistages never takes that path, add it to FILE_LOOKUPS_ALLOWED in scripts/bundle-checks.ts with the reason`);
}
