/**
 * Local git repositories for tests, built with the `git` CLI in a temporary folder: write files,
 * commit, branch, and read back what GitHub's API would say about them. `FakeGithub` serves these.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const ZERO_SHA = '0000000000000000000000000000000000000000';

/** path → content to write, or null to delete the file */
export type FileChanges = Record<string, string | null>;

export interface ChangedFile {
  path: string;
  status: 'added' | 'modified' | 'removed';
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Pistages Test',
  GIT_AUTHOR_EMAIL: 'test@pistages.invalid',
  GIT_COMMITTER_NAME: 'Pistages Test',
  GIT_COMMITTER_EMAIL: 'test@pistages.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

/** Runs git with a fixed identity and no user or system configuration; resolves with stdout. */
export async function git(cwd: string, args: string[], options: { env?: Record<string, string> } = {}): Promise<string> {
  const { stdout } = await execFileAsync('git', args, {
    cwd,
    env: { ...process.env, ...GIT_ENV, ...options.env },
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
  });
  return stdout;
}

/** Same as `git` but resolves with raw bytes (blob contents). */
export async function gitBytes(cwd: string, args: string[]): Promise<Buffer> {
  const { stdout } = await execFileAsync('git', args, {
    cwd,
    env: { ...process.env, ...GIT_ENV },
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'buffer',
  });
  return stdout;
}

export class GitRepo {
  private constructor(
    /** owner/name */
    readonly fullName: string,
    /** the working tree; its `.git` folder is what FakeGithub serves */
    readonly dir: string,
    /** what GitHub would call the repository's default branch */
    readonly defaultBranch: string,
  ) {}

  static async create(fullName: string, root: string, defaultBranch = 'main'): Promise<GitRepo> {
    const dir = join(root, fullName.replace('/', '__'));
    await mkdir(dir, { recursive: true });
    await git(dir, ['init', '--quiet', `--initial-branch=${defaultBranch}`]);
    return new GitRepo(fullName, dir, defaultBranch);
  }

  get owner(): string {
    return this.fullName.split('/')[0] as string;
  }

  get name(): string {
    return this.fullName.split('/')[1] as string;
  }

  /** Writes (or deletes, for null) the files on the current branch and commits; resolves with the new sha. */
  async commit(files: FileChanges, message = 'change'): Promise<string> {
    for (const [path, content] of Object.entries(files)) {
      const target = join(this.dir, path);
      if (content === null) {
        await rm(target, { force: true });
      } else {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
      }
    }
    await git(this.dir, ['add', '--all']);
    await git(this.dir, ['commit', '--quiet', '--allow-empty', '-m', message]);
    return this.revParse('HEAD');
  }

  /** Creates `branch` at `from` (default: the current commit) and checks it out. */
  async branch(branch: string, from = 'HEAD'): Promise<void> {
    await git(this.dir, ['checkout', '--quiet', '-B', branch, from]);
  }

  async tag(tag: string, at = 'HEAD'): Promise<void> {
    await git(this.dir, ['tag', tag, at]);
  }

  /** ref (branch, tag, sha, sha^{tree}) → full sha; rejects when it does not exist */
  async revParse(ref: string): Promise<string> {
    return (await git(this.dir, ['rev-parse', '--verify', '--quiet', ref])).trim();
  }

  async gitDir(): Promise<string> {
    return (await git(this.dir, ['rev-parse', '--absolute-git-dir'])).trim();
  }

  /** Commits reachable from `head` and not from `base` (all of them when base is the zero sha), oldest first. */
  async commitsBetween(base: string, head: string): Promise<string[]> {
    const range = base === ZERO_SHA ? [head] : [`${base}..${head}`];
    const out = await git(this.dir, ['rev-list', '--reverse', ...range]);
    return out.split('\n').filter(Boolean);
  }

  /** Files a single commit changed against its first parent (or the empty tree for a root commit). */
  async changesOf(sha: string): Promise<ChangedFile[]> {
    const out = await git(this.dir, ['diff-tree', '--root', '--no-commit-id', '--no-renames', '-r', '--name-status', sha]);
    return parseNameStatus(out);
  }

  /** Files that differ between two commits. */
  async diff(base: string, head: string): Promise<ChangedFile[]> {
    const out = await git(this.dir, ['diff', '--no-renames', '--name-status', base, head]);
    return parseNameStatus(out);
  }

  async message(sha: string): Promise<string> {
    return (await git(this.dir, ['log', '-1', '--format=%B', sha])).trim();
  }
}

function parseNameStatus(out: string): ChangedFile[] {
  const statuses: Record<string, ChangedFile['status']> = { A: 'added', M: 'modified', D: 'removed', T: 'modified' };
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [code, path] = line.split('\t') as [string, string];
      return { path, status: statuses[code[0] as string] ?? 'modified' };
    });
}

/** A temporary folder holding test repositories; `dispose` removes it. */
export class GitFixture {
  private constructor(readonly root: string) {}

  static async create(): Promise<GitFixture> {
    return new GitFixture(await mkdtemp(join(tmpdir(), 'pistages-git-')));
  }

  /** A new repository whose first commit holds `files`. */
  async repo(fullName: string, files: FileChanges = {}, options: { defaultBranch?: string } = {}): Promise<{ repo: GitRepo; sha: string }> {
    const repo = await GitRepo.create(fullName, this.root, options.defaultBranch);
    const sha = await repo.commit(files, 'initial commit');
    return { repo, sha };
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
