/**
 * A stored run → the bodies GitHub receives: a check run (named after the job, `external_id` = run
 * id) and a commit status (`pistages/<job>`). Pure; the reporter sends them. Every body stays
 * within GitHub's limits: output ≤ 65,535 bytes, ≤ 50 annotations per request, action texts, 140
 * characters of status description.
 */
import type { Status } from '../pipeline/types.ts';
import type { RunRecord } from '../store/store.ts';
import { checkLogText } from './check-log-text.ts';
import { OUTPUT_LIMIT, checkSummary, checkTitle, oneLine, statusLine } from './check-summary.ts';
import type {
  Annotation,
  CheckConclusion,
  CheckRunAction,
  CheckRunBody,
  CheckStatus,
  CommitStatusBody,
  ReportContext,
  StepLogTail,
} from './check-types.ts';
import { fitBytes } from './fit-bytes.ts';
import { RERUN_FAILED_ACTION } from './parse-event.ts';
import { FAILED_STATUSES, runOutcome } from './run-outcome.ts';

export type * from './check-types.ts';

/** GitHub takes at most 50 annotations per request */
export const ANNOTATIONS_PER_REQUEST = 50;
const DESCRIPTION_CHARS = 140;
const ANNOTATION_MESSAGE_BYTES = 64 * 1024 - 1;

export const RERUN_FAILED: CheckRunAction = {
  label: 'Re-run failed groups',
  description: 'Run only the groups that failed',
  identifier: RERUN_FAILED_ACTION,
};

const CHECK_STATUS: Record<Status, CheckStatus> = {
  queued: 'queued',
  running: 'in_progress',
  success: 'completed',
  failure: 'completed',
  error: 'completed',
  timed_out: 'completed',
  cancelled: 'completed',
  skipped: 'completed',
};

const CONCLUSION: Partial<Record<Status, CheckConclusion>> = {
  success: 'success',
  failure: 'failure',
  // a system error fails the check too; its title says it was the system
  error: 'failure',
  timed_out: 'timed_out',
  cancelled: 'cancelled',
  skipped: 'skipped',
};

const STATE: Record<Status, CommitStatusBody['state']> = {
  queued: 'pending',
  running: 'pending',
  success: 'success',
  failure: 'failure',
  timed_out: 'failure',
  error: 'error',
  cancelled: 'error',
  skipped: 'success',
};

/**
 * The check run of `run`, for POST (create) and PATCH (update, where `head_sha` may be left out).
 * `tails`: log ends of the run's steps; those of failing steps make output.text.
 */
export function checkRunBody(run: RunRecord, tails: StepLogTail[], ctx: ReportContext): CheckRunBody {
  if (!run.sha) throw new Error(`run ${run.id} has no commit sha; only runs of a repository commit get a check run`);
  const status = CHECK_STATUS[run.status];
  const body: CheckRunBody = {
    name: run.job,
    head_sha: run.sha,
    external_id: run.id,
    status,
    output: { title: checkTitle(run), summary: checkSummary(run, ctx) },
  };
  if (ctx.runUrl !== undefined) body.details_url = ctx.runUrl;
  if (run.startedAt) body.started_at = run.startedAt.toISOString();
  if (status !== 'completed') return body;
  body.conclusion = CONCLUSION[run.status]!;
  if (run.finishedAt) body.completed_at = run.finishedAt.toISOString();
  const text = checkLogText(run, tails, ctx);
  if (text !== undefined) body.output.text = text;
  if (FAILED_STATUSES.includes(run.status) && runOutcome(run).failed.length > 0) body.actions = [RERUN_FAILED];
  return body;
}

/** The commit status of `run`: context `pistages/<job>`, a description of at most 140 characters. */
export function commitStatusBody(run: RunRecord, ctx: ReportContext): CommitStatusBody {
  const body: CommitStatusBody = {
    state: STATE[run.status],
    context: `pistages/${run.job}`,
    description: oneLine(statusLine(run, DESCRIPTION_CHARS), DESCRIPTION_CHARS),
  };
  if (ctx.runUrl !== undefined) body.target_url = ctx.runUrl;
  return body;
}

/**
 * A failed check run named after a job file that does not compile, listing its problems. The body
 * carries no annotations; send each of `annotationBatches` (≤ 50 each) in a PATCH of the created
 * check run, with the same output title and summary.
 */
export function invalidFileCheckRun(
  file: string,
  sha: string,
  issues: { line: number; col: number; message: string }[],
): { body: CheckRunBody; annotationBatches: Annotation[][] } {
  const count = `${issues.length} problem${issues.length === 1 ? '' : 's'}`;
  const list = issues.map((issue) => `- line ${issue.line}, column ${issue.col}: ${oneLine(issue.message, 1000)}`).join('\n');
  const summary = fitBytes(
    `\`${file}\` cannot run: it has ${count}. Fix them and push again.\n\n${list}`,
    OUTPUT_LIMIT,
    `\n\n… cut to fit GitHub's limit; run \`pistages validate ${file}\` for every problem`,
  );
  const body: CheckRunBody = {
    name: file,
    head_sha: sha,
    status: 'completed',
    conclusion: 'failure',
    output: { title: 'invalid job file', summary },
  };
  const annotations = issues.map((issue): Annotation => ({
    path: file,
    start_line: Math.max(1, issue.line),
    end_line: Math.max(1, issue.line),
    start_column: Math.max(1, issue.col),
    end_column: Math.max(1, issue.col),
    annotation_level: 'failure',
    message: fitBytes(issue.message || 'invalid', ANNOTATION_MESSAGE_BYTES, '…'),
    title: 'invalid job file',
  }));
  const annotationBatches: Annotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    annotationBatches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  }
  return { body, annotationBatches };
}
