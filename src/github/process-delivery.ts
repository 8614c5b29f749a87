import type { Octokit } from '@octokit/rest';
import { InvalidJobError, RunStateError } from '../runs/errors.ts';
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
export const MAX_DELIVERY_ATTEMPTS = 10;

/** how long one processing attempt may hold a delivery before another process may take it */
export const DELIVERY_LEASE_MS = 30_000;

/** Processes the delivery if it can be claimed; returns the delay before a retry when it failed and may be tried again. */
export async function processDelivery(deps: ProcessDeps, id: string): Promise<{ retryInMs?: number }> {
  const record = await deps.deliveries.claim(id, deps.now(), DELIVERY_LEASE_MS);
  if (record === null) return {};
  const log = deps.log.child({ delivery: id, event: record.event, ...(record.repo !== undefined && { repo: record.repo }) });
  const finish = async (outcome: 'accepted' | 'ignored' | 'failed', reason: string): Promise<{ retryInMs?: number }> => {
    log.info({ outcome, reason }, 'webhook delivery processed');
    await deps.deliveries.finish(id, outcome, reason, deps.now());
    return {};
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
    return await finish('accepted', parts.join('; '));
  } catch (err) {
    if (err instanceof PayloadError || err instanceof SyntaxError) return finish('failed', err.message);
    if (record.attempts >= MAX_DELIVERY_ATTEMPTS) {
      return finish('failed', `gave up after ${record.attempts} attempts: ${err instanceof Error ? err.message : String(err)}`);
    }
    const retryInMs = Math.min(2000 * 2 ** (record.attempts - 1), 5 * 60_000);
    log.warn({ err: String(err), attempt: record.attempts, retryInMs }, 'processing a webhook delivery failed; it will be tried again');
    await deps.deliveries.release(id, new Date(deps.now().getTime() + retryInMs));
    return { retryInMs };
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
  const refused: string[] = [];
  for (const original of originals) {
    let next: Awaited<ReturnType<typeof prepareRerun>>;
    try {
      next = await prepareRerun(deps.actions, original, { failedOnly: event.failedOnly, limits: deps.limits });
    } catch (err) {
      // still running, or nothing failed: say so on the delivery, re-run the others
      if (!(err instanceof RunStateError || err instanceof InvalidJobError)) throw err;
      refused.push(`${original.job}: ${err.message}`);
      continue;
    }
    const token = await deps.cloneToken(original.installationId, { owner: event.repo.owner, name: event.repo.name });
    const run = await submitRun(deps.submit, next, {
      values: { PISTAGES_GIT_TOKEN: token.token },
      expiresAt: token.expiresAt ?? new Date(deps.now().getTime() + 55 * 60_000),
    });
    await onStarted(run.id);
    started.push(`${original.job} (${run.id})`);
  }
  const parts = [started.length === 0 ? 'nothing re-run' : `re-ran ${started.join(', ')}${event.failedOnly ? ', failed groups only' : ''}`];
  if (originals.length === 0) parts[0] = 'no runs of this commit to re-run';
  if (refused.length > 0) parts.push(`not re-run: ${refused.join('; ')}`);
  return parts.join('; ');
}
