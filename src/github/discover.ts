/**
 * Reads a repository's Pistages files at a commit through the Git Trees and Blobs API. Trees and
 * blobs are immutable (named by their content's hash), so both are cached by sha across events:
 * a push that does not touch `.pistages` costs one request (the commit's root tree).
 */
import type { Octokit } from '@octokit/rest';
import { LruCache } from './lru-cache.ts';

export interface RepoFile {
  path: string;
  sha: string;
  text: string;
}

/** jobs: .pistages/*.yaml|yml (top level only); actions: .pistages/actions/**\/*.yaml|yml */
export interface PistagesFiles {
  jobs: RepoFile[];
  actions: RepoFile[];
}

export interface RepoName {
  owner: string;
  name: string;
}

interface TreeEntry {
  path: string;
  type: string;
  sha: string;
}

const PISTAGES_DIR = '.pistages';
const YAML = /\.ya?ml$/i;
/** GitHub lists at most 300 files in a comparison; a list that long may be cut short */
const COMPARE_FILE_LIMIT = 300;
const BLOB_CONCURRENCY = 8;

export class RepoReader {
  private readonly blobs: LruCache<string, string>;
  private readonly trees: LruCache<string, TreeEntry[]>;

  constructor(options: { maxCachedBlobs?: number; maxCachedTrees?: number } = {}) {
    this.blobs = new LruCache(options.maxCachedBlobs ?? 2000);
    this.trees = new LruCache(options.maxCachedTrees ?? 500);
  }

  /** one request for the commit's root tree; the .pistages subtree (recursive) only when its tree sha is not cached; blobs only when not cached */
  async pistagesFiles(octokit: Octokit, repo: RepoName, sha: string): Promise<PistagesFiles> {
    const root = await this.requestTree(octokit, repo, sha, false);
    const dir = root.find((e) => e.path === PISTAGES_DIR && e.type === 'tree');
    if (!dir) return { jobs: [], actions: [] };
    let entries = this.trees.get(dir.sha);
    if (!entries) {
      entries = await this.requestTree(octokit, repo, dir.sha, true, `${PISTAGES_DIR} at ${sha}`);
      this.trees.set(dir.sha, entries);
    }
    const yaml = entries.filter((e) => e.type === 'blob' && YAML.test(e.path));
    const jobs = yaml.filter((e) => !e.path.includes('/'));
    const actions = yaml.filter((e) => e.path.startsWith('actions/'));
    const prefixed = (list: TreeEntry[]) => list.map((e) => ({ ...e, path: `${PISTAGES_DIR}/${e.path}` }));
    const [jobFiles, actionFiles] = await Promise.all([this.readBlobs(octokit, repo, prefixed(jobs)), this.readBlobs(octokit, repo, prefixed(actions))]);
    return { jobs: jobFiles, actions: actionFiles };
  }

  /** every .yaml/.yml file of the repository at sha, outside dot-folders (the shared actions repository) */
  async yamlFiles(octokit: Octokit, repo: RepoName, sha: string): Promise<RepoFile[]> {
    const entries = await this.requestTree(octokit, repo, sha, true, `the repository at ${sha}`);
    const wanted = entries.filter((e) => e.type === 'blob' && YAML.test(e.path) && !e.path.split('/').slice(0, -1).some((dir) => dir.startsWith('.')));
    return this.readBlobs(octokit, repo, wanted);
  }

  /**
   * files changed between two shas (compare API), undefined when GitHub cannot tell: the list
   * is at its 300-file cap, `base` is the zero sha of a new branch, or GitHub does not know `base`
   * (a force push that dropped it)
   */
  async changedFiles(octokit: Octokit, repo: RepoName, base: string, head: string): Promise<string[] | undefined> {
    if (/^0+$/.test(base)) return undefined;
    try {
      const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ owner: repo.owner, repo: repo.name, basehead: `${base}...${head}` });
      const files = data.files;
      if (!files || files.length >= COMPARE_FILE_LIMIT) return undefined;
      return files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename]));
    } catch (err) {
      if ((err as { status?: number }).status === 404) return undefined;
      throw err;
    }
  }

  /** ref (branch/tag/sha) → commit sha */
  async resolveRef(octokit: Octokit, repo: RepoName, ref: string): Promise<string> {
    const { data } = await octokit.rest.repos.getCommit({ owner: repo.owner, repo: repo.name, ref, per_page: 1 });
    return data.sha;
  }

  private async requestTree(octokit: Octokit, repo: RepoName, sha: string, recursive: boolean, what = sha): Promise<TreeEntry[]> {
    const { data } = await octokit.rest.git.getTree({ owner: repo.owner, repo: repo.name, tree_sha: sha, ...(recursive ? { recursive: '1' } : {}) });
    if (data.truncated) {
      throw new Error(
        `${repo.owner}/${repo.name}: GitHub's Trees API truncated the listing of ${what} (too many files for one request); ` +
          'keep Pistages files in a smaller folder',
      );
    }
    return data.tree.flatMap((e) => (e.path && e.type && e.sha ? [{ path: e.path, type: e.type, sha: e.sha }] : []));
  }

  private async readBlobs(octokit: Octokit, repo: RepoName, entries: TreeEntry[]): Promise<RepoFile[]> {
    const files: RepoFile[] = new Array(entries.length);
    let next = 0;
    const worker = async () => {
      while (next < entries.length) {
        const index = next++;
        const entry = entries[index] as TreeEntry;
        files[index] = { path: entry.path, sha: entry.sha, text: await this.blobText(octokit, repo, entry.sha) };
      }
    };
    await Promise.all(Array.from({ length: Math.min(BLOB_CONCURRENCY, entries.length) }, worker));
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  private async blobText(octokit: Octokit, repo: RepoName, sha: string): Promise<string> {
    const cached = this.blobs.get(sha);
    if (cached !== undefined) return cached;
    const { data } = await octokit.rest.git.getBlob({ owner: repo.owner, repo: repo.name, file_sha: sha });
    const text = data.encoding === 'base64' ? Buffer.from(data.content, 'base64').toString('utf8') : data.content;
    this.blobs.set(sha, text);
    return text;
  }
}
