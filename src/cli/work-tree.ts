import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The folder a local run copies into each group's /workspace, and how to list it. */
export interface WorkTree {
  /** absolute path */
  root: string;
  /** inside a git work tree: list with git (ignored files stay out); else every file */
  git: boolean;
}

/**
 * The work tree of a job file: the top of its git work tree, else the job file's folder. A folder
 * given with `--workspace` is used as it is, listed with git when it lies in a work tree.
 */
export async function findWorkTree(jobFile: string, chosen?: string): Promise<WorkTree> {
  if (chosen !== undefined) {
    const root = resolve(chosen);
    return { root, git: (await git(root, 'rev-parse', '--is-inside-work-tree')) === 'true' };
  }
  const folder = dirname(resolve(jobFile));
  const top = mayBeInGit(folder) ? await git(folder, 'rev-parse', '--show-toplevel') : undefined;
  return top === undefined ? { root: folder, git: false } : { root: top, git: true };
}

/**
 * Paths to copy, relative to the root with `/` separators, sorted. In git: tracked files plus
 * untracked ones no ignore rule excludes (what `git status` would show), as they are on disk,
 * so uncommitted changes are included; a tracked file deleted on disk is skipped when packed.
 * Outside git: every file and folder, folders ending in `/`.
 */
export async function listWorkTree(tree: WorkTree): Promise<string[]> {
  if (!tree.git) return walk(tree.root, '');
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: tree.root,
    maxBuffer: 1 << 30,
    encoding: 'buffer',
  });
  const paths = new Set(stdout.toString('utf8').split('\0').filter((p) => p !== ''));
  return [...paths].sort();
}

async function walk(root: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(join(root, prefix), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory()) out.push(`${path}/`, ...(await walk(root, `${path}/`)));
    else out.push(path);
  }
  return out;
}

/**
 * False when git surely sees no repository at `dir`: no `.git` in it or any folder above, and no
 * GIT_DIR / GIT_WORK_TREE in the environment. Saves starting git processes outside repositories.
 */
export function mayBeInGit(dir: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.GIT_DIR !== undefined || env.GIT_WORK_TREE !== undefined) return true;
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(join(current, '.git'))) return true;
    if (dirname(current) === current) return false;
  }
}

/** git's trimmed output, or undefined when git fails or prints nothing (no repository, no HEAD). */
export async function git(cwd: string, ...args: string[]): Promise<string | undefined> {
  try {
    return (await run('git', args, { cwd })).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}
