import { stat } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import { bindWorkspaces, seedWorkspaces, type WorkspaceSource } from '../executor/docker/workspace-seed.ts';
import { packTree } from './pack-tree.ts';
import { findWorkTree, listWorkTree } from './work-tree.ts';

export interface WorkspaceFlags {
  /** `--workspace DIR` gives a string, `--no-workspace` false */
  workspace?: string | false;
  bind?: boolean;
}

export interface LocalWorkspace {
  /** undefined with --no-workspace: every workspace starts empty */
  source: WorkspaceSource | undefined;
  /** the folder whose checkout the PISTAGES_* variables describe */
  checkout: string;
  /** one line for the user: what /workspace holds */
  note: string;
}

export class WorkspaceUsageError extends Error {}

/**
 * What each group's /workspace starts with on a local run (JOB-FORMAT.md, command line): a copy of
 * the job's work tree by default, the folder of `--workspace DIR` instead, nothing with
 * `--no-workspace`, or with `--bind` the folder itself, read-write and shared by every group.
 */
export async function localWorkspace(
  docker: Dockerode,
  jobFile: string,
  flags: WorkspaceFlags,
  run: { runId: string; job: string; labels: Record<string, string>; log: (message: string) => void },
): Promise<LocalWorkspace> {
  if (flags.workspace === false) {
    if (flags.bind) throw new WorkspaceUsageError('--bind needs a folder to bind: drop --no-workspace');
    const tree = await findWorkTree(jobFile);
    return { source: undefined, checkout: tree.root, note: 'workspace: empty (--no-workspace)' };
  }
  const tree = await findWorkTree(jobFile, flags.workspace);
  const isFolder = await stat(tree.root).then((s) => s.isDirectory(), () => false);
  if (!isFolder) throw new WorkspaceUsageError(`--workspace ${flags.workspace ?? ''}: no such folder`);
  if (flags.bind) {
    return {
      source: bindWorkspaces(docker, tree.root),
      checkout: tree.root,
      note: `workspace: ${tree.root} bound read-write, shared by every group (--bind)`,
    };
  }
  const paths = await listWorkTree(tree);
  const source = await seedWorkspaces(docker, { ...run, archive: () => packTree(tree.root, paths) });
  const what = tree.git ? 'git work tree, ignored files left out' : 'folder';
  return { source, checkout: tree.root, note: `workspace: a copy of ${tree.root} (${what}, ${paths.length} paths) in each group` };
}
