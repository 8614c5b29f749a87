import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve, relative } from 'node:path';
import { jobSizeIssue, NO_LIMITS, type JobLimits } from '../pipeline/operator-limits.ts';
import { parseJob } from '../pipeline/parse.ts';
import { builtinActions, DEFAULT_CHECKOUT_IMAGE } from '../runs/builtin-actions.ts';
import { layerCatalogs } from '../runs/compile.ts';
import type { ActionCatalog, JobFile, ValidationIssue } from '../pipeline/types.ts';

/** Paths are shown relative to the working directory, as users typed them. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/** `limits.maxJobBytes`: a larger file is refused before it is parsed. */
export async function readJobFile(path: string, limits: JobLimits = NO_LIMITS): Promise<{ text: string; job?: JobFile; issues: ValidationIssue[] }> {
  const file = displayPath(resolve(path));
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return { text: '', issues: [{ file, line: 1, col: 1, message: `cannot read the file: ${reason}` }] };
  }
  const tooLarge = jobSizeIssue(text, file, limits);
  if (tooLarge !== undefined) return { text, issues: [tooLarge] };
  return { text, ...parseJob(text, file) };
}

const isYaml = (name: string) => /\.ya?ml$/i.test(name);

/** The `.pistages/actions` folder of the repository holding `file`, if there is one. */
export async function repositoryActionsDir(file: string): Promise<string | undefined> {
  let dir = dirname(resolve(file));
  for (;;) {
    const candidate = join(dir, '.pistages', 'actions');
    if (await isDirectory(candidate)) return candidate;
    if (await exists(join(dir, '.git'))) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

export interface LoadedActions {
  catalog: ActionCatalog;
  /** absolute paths of the action files, so `validate` can treat them as actions */
  files: Set<string>;
  issues: ValidationIssue[];
}

/** Loads every *.yaml|*.yml of each folder as a registered action; duplicate names are an error. */
export async function loadActions(dirs: string[]): Promise<LoadedActions> {
  const jobs: JobFile[] = [];
  const issues: ValidationIssue[] = [];
  const files = new Set<string>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = (await readdir(dir)).filter(isYaml).sort();
    } catch {
      issues.push({ file: displayPath(resolve(dir)), line: 1, col: 1, message: 'cannot read the actions folder; check the --actions path' });
      continue;
    }
    for (const name of names) {
      const path = resolve(dir, name);
      if (files.has(path)) continue;
      files.add(path);
      const loaded = await readJobFile(path);
      issues.push(...loaded.issues);
      if (loaded.job) jobs.push(loaded.job);
    }
  }
  // the built-in actions (Checkout) come last: a file of the same name wins
  const layered = layerCatalogs([jobs, builtinActions(process.env.PISTAGES_CHECKOUT_IMAGE?.trim() || DEFAULT_CHECKOUT_IMAGE)]);
  return { catalog: layered.catalog, files, issues: [...issues, ...layered.issues] };
}

/** The folders to load actions from: each --actions DIR, then the file's repository's .pistages/actions. */
export async function actionDirsFor(files: string[], explicit: string[]): Promise<string[]> {
  const dirs = explicit.map((d) => resolve(d));
  for (const file of files) {
    const dir = await repositoryActionsDir(file);
    if (dir && !dirs.includes(dir)) dirs.push(dir);
  }
  return dirs;
}
