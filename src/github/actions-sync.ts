import type { Octokit } from '@octokit/rest';
import { issueAt } from '../pipeline/errors.ts';
import { parseJob } from '../pipeline/parse.ts';
import type { JobFile, ValidationIssue } from '../pipeline/types.ts';
import type { ActionRegistry } from '../store/store.ts';
import { invalidFileCheckRun } from './checks.ts';
import type { RepoReader } from './discover.ts';

/**
 * The shared actions repository (PISTAGES_ACTIONS_REPO=owner/name[@ref]): every `.yaml`/`.yml` file
 * of it, outside dot-folders, is an action registered under its `name`, with the repository, sha
 * and path as its source. A broken file, or two files with one name, is reported as a failed check
 * run on that commit and leaves the registered version of that action as it was; the other files
 * are registered. An unchanged file adds no new version.
 */

export interface ActionsRepo {
  owner: string;
  name: string;
  /** branch (or tag) whose pushes are synced; undefined → the default branch */
  ref?: string;
}

export interface SyncResult {
  sha: string;
  registered: string[];
  unchanged: string[];
  problems: { file: string; issues: ValidationIssue[] }[];
}

export const ACTIONS_CHECK_NAME = 'pistages/actions';

/** `owner/name[@ref]` → ActionsRepo; throws naming PISTAGES_ACTIONS_REPO */
export function parseActionsRepo(text: string): ActionsRepo {
  const match = /^([\w.-]+)\/([\w.-]+)(?:@(.+))?$/.exec(text.trim());
  if (match === null) throw new Error(`PISTAGES_ACTIONS_REPO '${text}' is not owner/name or owner/name@ref`);
  return { owner: match[1] as string, name: match[2] as string, ...(match[3] !== undefined && { ref: match[3] }) };
}

export async function syncActions(
  deps: { actions: ActionRegistry; reader: RepoReader },
  octokit: Octokit,
  repo: ActionsRepo,
  sha: string,
): Promise<SyncResult> {
  const files = await deps.reader.yamlFiles(octokit, repo, sha);
  const result: SyncResult = { sha, registered: [], unchanged: [], problems: [] };
  const parsed: { path: string; text: string; job: JobFile }[] = [];
  for (const file of files) {
    const { job, issues } = parseJob(file.text, file.path);
    if (job === undefined) result.problems.push({ file: file.path, issues });
    else parsed.push({ path: file.path, text: file.text, job });
  }
  const byName = new Map<string, typeof parsed>();
  for (const entry of parsed) byName.set(entry.job.name, [...(byName.get(entry.job.name) ?? []), entry]);
  for (const [name, entries] of byName) {
    if (entries.length > 1) {
      const where = entries.map((e) => e.path).join(', ');
      for (const e of entries) {
        result.problems.push({ file: e.path, issues: [issueAt(e.job.pos, `action '${name}' is defined by ${entries.length} files (${where}); give each a different name`)] });
      }
      continue;
    }
    const entry = entries[0] as (typeof parsed)[number];
    const current = await deps.actions.get(name);
    if (current !== null && current.yaml === entry.text) {
      result.unchanged.push(name);
      continue;
    }
    await deps.actions.put(entry.job, entry.text, { kind: 'repo', repo: `${repo.owner}/${repo.name}`, sha, path: entry.path }, { replace: true });
    result.registered.push(name);
  }
  await reportSync(octokit, repo, result);
  return result;
}

/** one check run on the synced commit: success listing what was registered, or failure with annotations */
async function reportSync(octokit: Octokit, repo: ActionsRepo, result: SyncResult): Promise<void> {
  const base = { owner: repo.owner, repo: repo.name, head_sha: result.sha, name: ACTIONS_CHECK_NAME, status: 'completed' as const };
  if (result.problems.length === 0) {
    const summary = [
      `Registered: ${result.registered.length === 0 ? 'none' : result.registered.map((n) => `\`${n}\``).join(', ')}`,
      `Unchanged: ${result.unchanged.length === 0 ? 'none' : result.unchanged.map((n) => `\`${n}\``).join(', ')}`,
    ].join('\n\n');
    await octokit.rest.checks.create({ ...base, conclusion: 'success', output: { title: `${result.registered.length} actions registered`, summary } });
    return;
  }
  for (const problem of result.problems) {
    const { body, annotationBatches } = invalidFileCheckRun(problem.file, result.sha, problem.issues);
    const [first, ...rest] = annotationBatches;
    const summary = `${body.output.summary}\n\nThe version of this action registered before stays in use. Other files: registered ${result.registered.length}, unchanged ${result.unchanged.length}.`;
    const created = await octokit.rest.checks.create({
      ...base,
      name: `${ACTIONS_CHECK_NAME}: ${problem.file}`,
      conclusion: 'failure',
      output: { ...body.output, summary, ...(first !== undefined && { annotations: first }) },
    });
    for (const batch of rest) {
      await octokit.rest.checks.update({ owner: repo.owner, repo: repo.name, check_run_id: created.data.id, output: { ...body.output, summary, annotations: batch } });
    }
  }
}
