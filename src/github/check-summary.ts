/**
 * The title and markdown summary of a run's check run: one line saying how it ended, then a table
 * of every group's steps with status, duration and attempt, the run's message and a link to the log.
 */
import type { Status } from '../pipeline/types.ts';
import type { GroupRecord, RunRecord, StepRecord } from '../store/store.ts';
import type { ReportContext } from './check-types.ts';
import { fitBytes } from './fit-bytes.ts';
import { FAILED_STATUSES, durationText, elapsedMs, failedAt, latestSteps, passedOnRetry, runOutcome, type FailedGroup } from './run-outcome.ts';

/** GitHub's limit on output.summary and output.text, in bytes */
export const OUTPUT_LIMIT = 65_535;
const TITLE_CHARS = 200;
const CELL_CHARS = 100;

export const STATUS_ICON: Record<Status, string> = {
  queued: '🕒',
  running: '🔄',
  success: '✅',
  failure: '❌',
  error: '💥',
  timed_out: '⏱️',
  cancelled: '🚫',
  skipped: '⏭️',
};

/** `[Full log](url)`, or the CLI command that prints it when the server has no public URL */
function fullLogLine(run: RunRecord, ctx: ReportContext): string {
  return ctx.runUrl ? `[Full log](${ctx.runUrl})` : `Full log: \`pistages logs ${run.id}\``;
}

export function cutNote(run: RunRecord, ctx: ReportContext): string {
  return `\n\n… cut to fit GitHub's limit; full log: ${ctx.runUrl ?? `\`pistages logs ${run.id}\``}`;
}

/** `text` on one line of at most `max` characters (code points) */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s*\r?\n\s*/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

/** `build › test (attempt 2), lint › eslint and 3 more`, in at most `max` characters */
function failures(failed: FailedGroup[], withAttempt: boolean, max: number): string {
  const more = failed.length > 2 ? ` and ${failed.length - 2} more` : '';
  const names = failed.slice(0, 2).map((f) => failedAt(f, withAttempt));
  return names.length === 0 ? '' : oneLine(names.join(', '), max - more.length) + more;
}

/** One line: `3 of 3 groups passed in 1m 12s`, `failed: build › test (attempt 2)`, `system error: …`. */
export function checkTitle(run: RunRecord): string {
  const outcome = runOutcome(run);
  const groups = `${outcome.passed} of ${outcome.total} group${outcome.total === 1 ? '' : 's'} passed`;
  const took = outcome.durationMs === undefined ? '' : ` in ${durationText(outcome.durationMs)}`;
  const where = failures(outcome.failed, true, TITLE_CHARS - 20) || run.message || '';
  const title: Record<Status, string> = {
    queued: 'queued',
    running: `running: ${run.groups.filter((g) => !['queued', 'running'].includes(g.status)).length} of ${outcome.total} groups done`,
    success: `${groups}${took}`,
    failure: where ? `failed: ${where}` : 'failed',
    timed_out: where ? `timed out: ${where}` : 'timed out',
    error: `system error (not a failure of the job's commands)${run.message ? `: ${run.message}` : ''}`,
    cancelled: `cancelled${run.message ? `: ${run.message}` : ''}`,
    skipped: `skipped${run.message ? `: ${run.message}` : ''}`,
  };
  return oneLine(title[run.status], TITLE_CHARS);
}

/** For the commit status: `failed: build › test`, `passed in 1m 12s`, in about `max` characters. */
export function statusLine(run: RunRecord, max: number): string {
  const outcome = runOutcome(run);
  switch (run.status) {
    case 'success':
      return outcome.durationMs === undefined ? 'passed' : `passed in ${durationText(outcome.durationMs)}`;
    case 'failure':
    case 'timed_out': {
      const where = failures(outcome.failed, false, max - 20) || run.message;
      const verb = run.status === 'failure' ? 'failed' : 'timed out';
      return where ? `${verb}: ${where}` : verb;
    }
    default:
      return checkTitle(run);
  }
}

function cell(text: string): string {
  return oneLine(text, CELL_CHARS).replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}

function stepRows(group: GroupRecord, run: RunRecord): string[] {
  const recorded: StepRecord[] = latestSteps(group);
  const steps: StepRecord[] =
    recorded.length > 0
      ? recorded
      : (run.plan.groups.find((g) => g.name === group.name)?.steps ?? []).map((s) => ({ index: s.index, name: s.name, status: group.status }));
  const attempt = group.attempt > 0 ? String(group.attempt) : '–';
  if (steps.length === 0) return [`| ${cell(group.name)} | – | ${STATUS_ICON[group.status]} ${group.status} | – | ${attempt} |`];
  return steps.map((step, i) => {
    const retried = passedOnRetry(group, step) ? ' (passed on retry)' : '';
    const ms = elapsedMs(step.startedAt, step.finishedAt);
    const took = ms === undefined ? '–' : durationText(ms);
    return `| ${i === 0 ? cell(group.name) : ''} | ${cell(step.name)} | ${STATUS_ICON[step.status]} ${step.status}${retried} | ${took} | ${attempt} |`;
  });
}

function quoted(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => `> ${line}`)
    .join('\n');
}

/** Markdown, at most OUTPUT_LIMIT bytes. */
export function checkSummary(run: RunRecord, ctx: ReportContext): string {
  const parts: string[] = [];
  if (run.message) parts.push(quoted(run.message));
  parts.push(['| Group | Step | Status | Duration | Attempt |', '| --- | --- | --- | --- | --- |', ...run.groups.flatMap((g) => stepRows(g, run))].join('\n'));
  const why = run.groups.filter((g) => FAILED_STATUSES.includes(g.status) && g.message).map((g) => `- **${cell(g.name)}**: ${oneLine(g.message!, 500)}`);
  if (why.length > 0) parts.push(why.join('\n'));
  if (run.status === 'error') parts.push('Pistages could not run the job (a system error, not a failing command); re-running may help.');
  parts.push(fullLogLine(run, ctx));
  return fitBytes(parts.join('\n\n'), OUTPUT_LIMIT, cutNote(run, ctx));
}
