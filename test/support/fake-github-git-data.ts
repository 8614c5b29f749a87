/**
 * The read side of the fake GitHub: trees, blobs, contents, commits and comparisons, answered
 * from a local git repository with the `git` CLI, shaped like GitHub's responses (only the fields
 * Pistages reads, plus the ones that make them recognisable).
 */
import { git, gitBytes } from './git-fixture.ts';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** GitHub returns at most this many files from the compare API */
export const COMPARE_FILE_LIMIT = 300;

const notFound: Reply = { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };

interface TreeEntry {
  path: string;
  mode: string;
  type: string;
  sha: string;
  size?: number;
}

export class GitData {
  /** a recursive tree with more entries than this is answered truncated (GitHub: 100,000 entries or 7 MB) */
  maxTreeEntries = 100_000;

  constructor(
    private readonly dir: string,
    /** e.g. http://127.0.0.1:1234/repos/o/r */
    private readonly apiRepoUrl: string,
  ) {}

  /** ref (branch, tag, sha) → commit sha, or undefined */
  async resolveCommit(ref: string): Promise<string | undefined> {
    return this.revParse(`${ref}^{commit}`);
  }

  async tree(sha: string, recursive: boolean): Promise<Reply> {
    const treeSha = await this.revParse(`${sha}^{tree}`);
    if (!treeSha) return notFound;
    const out = await git(this.dir, ['ls-tree', '-z', '-l', ...(recursive ? ['-r', '-t'] : []), treeSha]);
    const entries = out.split('\0').filter(Boolean).map(parseTreeLine);
    const truncated = recursive && entries.length > this.maxTreeEntries;
    const shown = truncated ? entries.slice(0, this.maxTreeEntries) : entries;
    return {
      status: 200,
      body: {
        sha: treeSha,
        url: `${this.apiRepoUrl}/git/trees/${treeSha}`,
        tree: shown.map((e) => ({ ...e, url: `${this.apiRepoUrl}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}` })),
        truncated,
      },
    };
  }

  async blob(sha: string): Promise<Reply> {
    const type = await this.objectType(sha);
    if (type !== 'blob') return notFound;
    const bytes = await gitBytes(this.dir, ['cat-file', 'blob', sha]);
    return {
      status: 200,
      body: { sha, node_id: `B_${sha}`, size: bytes.length, url: `${this.apiRepoUrl}/git/blobs/${sha}`, content: wrapBase64(bytes), encoding: 'base64' },
    };
  }

  async contents(path: string, ref: string | undefined): Promise<Reply> {
    const commit = await this.resolveCommit(ref ?? 'HEAD');
    if (!commit) return { status: 404, body: { message: `No commit found for the ref ${ref ?? 'HEAD'}` } };
    const clean = path.replace(/^\/+|\/+$/g, '');
    const sha = await this.revParse(clean ? `${commit}:${clean}` : `${commit}^{tree}`);
    if (!sha) return notFound;
    if ((await this.objectType(sha)) === 'tree') {
      const out = await git(this.dir, ['ls-tree', '-z', '-l', sha]);
      const entries = out.split('\0').filter(Boolean).map(parseTreeLine);
      return {
        status: 200,
        body: entries.map((e) => ({ type: e.type === 'tree' ? 'dir' : 'file', name: e.path, path: clean ? `${clean}/${e.path}` : e.path, sha: e.sha, size: e.size ?? 0 })),
      };
    }
    const bytes = await gitBytes(this.dir, ['cat-file', 'blob', sha]);
    const name = clean.split('/').pop() ?? clean;
    return { status: 200, body: { type: 'file', encoding: 'base64', size: bytes.length, name, path: clean, sha, content: wrapBase64(bytes) } };
  }

  async commit(ref: string): Promise<Reply> {
    const sha = await this.resolveCommit(ref);
    if (!sha) return { status: 422, body: { message: `No commit found for SHA: ${ref}` } };
    const out = await git(this.dir, ['show', '-s', '--format=%T%n%P%n%an%n%ae%n%aI%n%B', sha]);
    const [tree = '', parents = '', name, email, date, ...message] = out.split('\n');
    return {
      status: 200,
      body: {
        sha,
        url: `${this.apiRepoUrl}/commits/${sha}`,
        commit: { tree: { sha: tree }, message: message.join('\n').trim(), author: { name, email, date } },
        parents: parents.split(' ').filter(Boolean).map((p) => ({ sha: p })),
      },
    };
  }

  async compare(basehead: string): Promise<Reply> {
    const [base = '', head = ''] = basehead.split('...');
    const [baseSha, headSha] = [await this.resolveCommit(base), await this.resolveCommit(head)];
    if (!baseSha || !headSha) return notFound;
    const [ahead, behind] = [await this.count(`${baseSha}..${headSha}`), await this.count(`${headSha}..${baseSha}`)];
    const out = await git(this.dir, ['diff', '--no-renames', '--name-status', baseSha, headSha]);
    const statuses: Record<string, string> = { A: 'added', M: 'modified', D: 'removed' };
    const files = out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [code = '', filename = ''] = line.split('\t');
        return { filename, status: statuses[code[0] ?? ''] ?? 'modified' };
      });
    return {
      status: 200,
      body: {
        status: ahead && behind ? 'diverged' : ahead ? 'ahead' : behind ? 'behind' : 'identical',
        ahead_by: ahead,
        behind_by: behind,
        total_commits: ahead,
        base_commit: { sha: baseSha },
        commits: [],
        files: files.slice(0, COMPARE_FILE_LIMIT),
      },
    };
  }

  private async count(range: string): Promise<number> {
    return Number((await git(this.dir, ['rev-list', '--count', range])).trim());
  }

  private async objectType(sha: string): Promise<string | undefined> {
    try {
      return (await git(this.dir, ['cat-file', '-t', sha])).trim();
    } catch {
      return undefined;
    }
  }

  private async revParse(expr: string): Promise<string | undefined> {
    try {
      return (await git(this.dir, ['rev-parse', '--verify', '--quiet', expr])).trim() || undefined;
    } catch {
      return undefined;
    }
  }
}

function parseTreeLine(line: string): TreeEntry {
  const tab = line.indexOf('\t');
  const [mode = '', type = '', sha = '', size = '-'] = line.slice(0, tab).split(/\s+/);
  return { path: line.slice(tab + 1), mode, type, sha, ...(size === '-' ? {} : { size: Number(size) }) };
}

/** base64 broken into lines of 60 characters, as GitHub sends blob contents */
function wrapBase64(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,60}/g) ?? []).join('\n') + '\n';
}
