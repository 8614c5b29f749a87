import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function git(cwd: string, ...args: string[]): Promise<string | undefined> {
  try {
    return (await run('git', args, { cwd })).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** PISTAGES_* values for a laptop run: taken from the git checkout holding the job file, if any. */
export async function localContext(file: string): Promise<Record<string, string>> {
  const cwd = dirname(resolve(file));
  const [sha, ref, remote] = await Promise.all([
    git(cwd, 'rev-parse', 'HEAD'),
    git(cwd, 'symbolic-ref', '-q', 'HEAD'),
    git(cwd, 'config', '--get', 'remote.origin.url'),
  ]);
  const context: Record<string, string> = { PISTAGES_EVENT: 'local' };
  if (sha) context.PISTAGES_SHA = sha;
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
