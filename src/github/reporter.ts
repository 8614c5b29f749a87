import type { Octokit } from '@octokit/rest';
import { TERMINAL_STATUSES, type Status } from '../pipeline/types.ts';
import type { LogStore, ReportState, ReportStateStore, RunRecord, RunStore } from '../store/store.ts';
import { checkRunBody, commitStatusBody } from './checks.ts';
import type { ReportContext, StepLogTail } from './check-types.ts';

/**
 * Sends a run's state to GitHub: one check run (created once, then updated) and one commit status
 * per run. Driven by the stored run, never by the worker: `report(runId)` re-reads the run and
 * sends what changed since the last report (ReportStateStore), so calling it twice is harmless and
 * a report lost to a crash or an outage is made whole by the next one.
 */

export interface ReporterDeps {
  runs: Pick<RunStore, 'get'>;
  logs: Pick<LogStore, 'read'>;
  states: ReportStateStore;
  octokitFor: (installationId: number | undefined) => Octokit;
  /** base URL of Pistages' pages (PISTAGES_PUBLIC_URL), for links; undefined: no links */
  publicUrl?: string;
  /** least time between two progress (non-final) updates of one run */
  progressEveryMs: number;
  /** lines of each failed step's log shown in the check run */
  tailLines: number;
  now: () => Date;
}

export interface ReportOutcome {
  /** nothing to send (not a GitHub run, or already up to date) */
  sent: boolean;
  /** a progress update was held back by the throttle: report again after this long */
  againInMs?: number;
}

/** GitHub's commit status state for a run status. */
function commitState(status: Status): string {
  if (status === 'queued' || status === 'running') return 'pending';
  if (status === 'success' || status === 'skipped') return 'success';
  if (status === 'failure' || status === 'timed_out') return 'failure';
  return 'error';
}

export function reportContext(publicUrl: string | undefined, runId: string): ReportContext {
  if (publicUrl === undefined) return {};
  const base = publicUrl.replace(/\/+$/, '');
  const runUrl = `${base}/runs/${runId}`;
  return { runUrl, logUrl: (group, step, attempt) => `${runUrl}?group=${encodeURIComponent(group)}&step=${step}&attempt=${attempt}` };
}

export async function reportRun(deps: ReporterDeps, runId: string): Promise<ReportOutcome> {
  const run = await deps.runs.get(runId);
  if (run === null || run.forge !== 'github' || run.repo === undefined || run.sha === undefined) return { sent: false };
  const state: ReportState = (await deps.states.get(runId)) ?? { runId };
  const final = TERMINAL_STATUSES.includes(run.status);
  const state_ = commitState(run.status);
  if (state.checkStatus === run.status && state.commitState === state_ && (final || state.checkRunId !== undefined)) return { sent: false };
  if (!final && state.progressAt !== undefined && state.checkRunId !== undefined) {
    const wait = state.progressAt.getTime() + deps.progressEveryMs - deps.now().getTime();
    if (wait > 0) return { sent: false, againInMs: wait };
  }
  const [owner, repo] = run.repo.split('/') as [string, string];
  const octokit = deps.octokitFor(run.installationId);
  const ctx = reportContext(deps.publicUrl, run.id);
  const tails = final ? await failedTails(deps, run) : [];
  const body = checkRunBody(run, tails, ctx);
  if (state.checkRunId === undefined) {
    const created = await octokit.rest.checks.create({ owner, repo, ...body, head_sha: run.sha });
    state.checkRunId = created.data.id;
    // kept at once: a failure of the status below must not make the next report create a second check run
    await deps.states.put({ runId, checkRunId: state.checkRunId });
  } else if (state.checkStatus !== run.status) {
    const { head_sha: _sha, ...update } = body;
    await octokit.rest.checks.update({ owner, repo, check_run_id: state.checkRunId, ...update });
  }
  if (state.commitState !== state_) {
    await octokit.rest.repos.createCommitStatus({ owner, repo, sha: run.sha, ...commitStatusBody(run, ctx) });
  }
  await deps.states.put({ runId, checkRunId: state.checkRunId, checkStatus: run.status, commitState: state_, progressAt: deps.now(), failures: 0 });
  return { sent: true };
}

/** the log tail of each step that ended the run's failed groups (their latest attempt) */
async function failedTails(deps: ReporterDeps, run: RunRecord): Promise<StepLogTail[]> {
  const tails: StepLogTail[] = [];
  for (const group of run.groups) {
    const attempt = group.attempts[group.attempts.length - 1];
    if (attempt === undefined) continue;
    for (const step of attempt.steps) {
      if (step.status === 'success' || step.status === 'skipped' || step.status === 'queued' || step.status === 'running') continue;
      const lines = await deps.logs.read(run.id, { group: group.name, step: step.index, attempt: attempt.attempt, tail: deps.tailLines + 1 });
      const clipped = lines.length > deps.tailLines;
      tails.push({
        group: group.name,
        step: step.index,
        stepName: step.name,
        attempt: attempt.attempt,
        status: step.status,
        lines: (clipped ? lines.slice(1) : lines).map((l) => l.line),
        clipped,
      });
    }
  }
  return tails;
}
