import type { Octokit } from '@octokit/rest';
import { prepareRerun } from '../runs/rerun.ts';
import { submitRun } from '../runs/submit.ts';
import type { DeliveryLog, RunRecord, RunStore } from '../store/store.ts';
import type { RerunEvent } from './event.ts';
import { parseEvent, PayloadError } from './parse-event.ts';
import { startRunsForEvent, type StartRunsDeps } from './start-runs.ts';

/**
 * Processing one recorded webhook delivery, from the durable queue: parse, act, record the outcome
 * (`accepted` with what it started, `ignored` with why, `failed` with why). Safe to run again for
 * the same delivery (after a crash): runs it already started are not started twice, and a delivery
 * that already has its outcome is left alone.
 */

export interface ProcessDeps extends StartRunsDeps {
  deliveries: DeliveryLog;
  runs: Pick<RunStore, 'get' | 'list'>;
  octokitFor: (installationId: number | undefined) => Octokit;
  /** a push to the shared actions repository: register its actions (actions-sync.ts) */
  onActionsPush?: (event: { repo: string; ref: string; sha: string; installationId?: number }) => Promise<void>;
  log: StartRunsDeps['log'] & { child(bindings: object): StartRunsDeps['log'] & { error(o: object, m?: string): void } };
}

/** Deliveries are tried this many times before they are recorded as failed. */
export const MAX_DELIVERY_ATTEMPTS = 5;

export async function processDelivery(deps: ProcessDeps, id: string): Promise<void> {
  const record = await deps.deliveries.startProcessing(id);
  if (record === null || record.outcome !== 'received') return;
  const log = deps.log.child({ delivery: id, event: record.event, ...(record.repo !== undefined && { repo: record.repo }) });
  const finish = (outcome: 'accepted' | 'ignored' | 'failed', reason: string): Promise<void> => {
    log.info({ outcome, reason }, 'webhook delivery processed');
    return deps.deliveries.finish(id, outcome, reason, deps.now());
  };
  try {
    const text = await deps.deliveries.payload(id);
    if (text === null || text === '') return await finish('failed', 'the delivery has no stored payload');
    const event = parseEvent(record.event, JSON.parse(text) as unknown);
    if (event.kind === 'ignored') return await finish('ignored', event.reason);
    const octokit = deps.octokitFor(event.installationId);
    if (event.kind === 'rerun') return await finish('accepted', await rerun(deps, event, (runId) => deps.deliveries.addRuns(id, [runId])));
    if (event.kind === 'push' && event.deleted) return await finish('ignored', `the push deleted ${event.ref}; nothing runs`);
    if (event.kind === 'push' && deps.onActionsPush) {
      await deps.onActionsPush({ repo: event.repo.fullName, ref: event.ref, sha: event.after, ...(event.installationId !== undefined && { installationId: event.installationId }) });
    }
    const started = await alreadyStarted(deps, record.runIds);
    const result = await startRunsForEvent({ ...deps, log }, octokit, event, {
      id,
      alreadyStarted: started,
      onStarted: (runId) => deps.deliveries.addRuns(id, [runId]),
    });
    const total = result.runIds.length + started.size;
    const parts = [`started ${total} run${total === 1 ? '' : 's'}`];
    if (result.filtered.length > 0) parts.push(`${result.filtered.length} job${result.filtered.length === 1 ? '' : 's'} filtered out by on: (${result.filtered.join(', ')})`);
    if (result.invalid.length > 0) parts.push(`invalid: ${result.invalid.join(', ')}`);
    await finish('accepted', parts.join('; '));
  } catch (err) {
    if (err instanceof PayloadError || err instanceof SyntaxError) return finish('failed', err.message);
    if (record.attempts >= MAX_DELIVERY_ATTEMPTS) {
      return finish('failed', `gave up after ${record.attempts} attempts: ${err instanceof Error ? err.message : String(err)}`);
    }
    log.warn({ err, attempt: record.attempts }, 'processing a webhook delivery failed; it will be tried again');
    throw err;
  }
}

/** the job files of runs a previous attempt at this delivery started */
async function alreadyStarted(deps: ProcessDeps, runIds: string[]): Promise<Set<string>> {
  const files = new Set<string>();
  for (const runId of runIds) {
    const run = await deps.runs.get(runId);
    if (run !== null) files.add(run.file);
  }
  return files;
}

/** GitHub's "Re-run" (one check run or the whole suite) and Pistages' "Re-run failed groups" */
async function rerun(deps: ProcessDeps, event: RerunEvent, onStarted: (runId: string) => Promise<void>): Promise<string> {
  const originals: RunRecord[] = [];
  if (event.scope === 'check_run') {
    const run = event.externalId !== undefined && /^[0-9a-f]{24}$/.test(event.externalId) ? await deps.runs.get(event.externalId) : null;
    if (run === null || run.repo !== event.repo.fullName) return `check run ${event.checkName ?? '?'} was not made by this Pistages; nothing to re-run`;
    originals.push(run);
  } else {
    const page = await deps.runs.list({ repo: event.repo.fullName, sha: event.headSha }, { limit: 500 });
    const latest = new Map<string, RunRecord>();
    for (const run of page.runs) if (!latest.has(run.file)) latest.set(run.file, run);
    originals.push(...latest.values());
  }
  const started: string[] = [];
  for (const original of originals) {
    const next = await prepareRerun(deps.actions, original, { failedOnly: event.failedOnly });
    const token = await deps.cloneToken(original.installationId, { owner: event.repo.owner, name: event.repo.name });
    const run = await submitRun(deps.submit, next, {
      values: { PISTAGES_GIT_TOKEN: token.token },
      expiresAt: token.expiresAt ?? new Date(deps.now().getTime() + 55 * 60_000),
    });
    await onStarted(run.id);
    started.push(`${original.job} (${run.id})`);
  }
  return started.length === 0 ? 'no runs of this commit to re-run' : `re-ran ${started.join(', ')}${event.failedOnly ? ', failed groups only' : ''}`;
}
