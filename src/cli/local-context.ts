import { git, mayBeInGit } from './work-tree.ts';

/**
 * PISTAGES_* values for a laptop run, describing the checkout in `dir` as a push would: commit,
 * branch, remote, and PISTAGES_DIRTY (`true` when it has uncommitted changes or untracked files
 * that are not ignored, which a local run copies too). Outside git only PISTAGES_EVENT=local.
 */
export async function localContext(dir: string): Promise<Record<string, string>> {
  if (!mayBeInGit(dir)) return { PISTAGES_EVENT: 'local' };
  const [sha, ref, remote, status] = await Promise.all([
    git(dir, 'rev-parse', 'HEAD'),
    git(dir, 'symbolic-ref', '-q', 'HEAD'),
    git(dir, 'config', '--get', 'remote.origin.url'),
    git(dir, 'status', '--porcelain', '--untracked-files=normal'),
  ]);
  const context: Record<string, string> = { PISTAGES_EVENT: 'local' };
  if (sha === undefined) return context;
  context.PISTAGES_SHA = sha;
  context.PISTAGES_DIRTY = status === undefined ? 'false' : 'true';
  if (ref) {
    context.PISTAGES_REF = ref;
    context.PISTAGES_BRANCH = ref.replace(/^refs\/heads\//, '');
  }
  if (remote) {
    context.PISTAGES_CLONE_URL = remote;
    const match = /[:/]([^/:]+\/[^/]+?)(?:\.git)?$/.exec(remote);
    if (match?.[1]) context.PISTAGES_REPO = match[1];
  }
  return context;
}
