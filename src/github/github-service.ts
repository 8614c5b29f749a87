import type { Express } from 'express';
import type { JobLimits } from '../pipeline/operator-limits.ts';
import type { SubmitDeps } from '../runs/submit.ts';
import type { ActionRegistry, DeliveryLog, LogStore, ReportStateStore, RunStore } from '../store/store.ts';
import { parseActionsRepo, syncActions, type ActionsRepo } from './actions-sync.ts';
import { GithubConfigError } from './app-auth.ts';
import { builtinActions } from '../runs/builtin-actions.ts';
import { createGithubClients, type GithubAuth } from './client.ts';
import { RepoReader } from './discover.ts';
import { processDelivery, type ProcessDeps } from './process-delivery.ts';
import { reportRun } from './reporter.ts';
import { registerGithubWebhook } from './webhook-route.ts';

/**
 * The GitHub integration of a server process, assembled: the webhook route, the processing of
 * recorded deliveries, the reporter of run changes, the shared actions repository. Queues are
 * handed in (durable, in the database) so a delivery or report outlives a crash.
 */

export interface IdQueue {
  enqueue(id: string, options?: { delayMs?: number }): Promise<void>;
  start(handler: (id: string) => Promise<void>): Promise<void>;
  stop(options: { drain: boolean }): Promise<void>;
}

interface Log {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
  debug(o: object, m?: string): void;
  child(bindings: object): Log;
}

export interface GithubSettings {
  webhookSecret: string | undefined;
  auth: GithubAuth;
  apiUrl: string;
  publicUrl: string | undefined;
  actionsRepo: string | undefined;
  checkoutImage: string;
  /** the operator's maxima, applied to the jobs of repositories and their re-runs */
  limits: JobLimits;
  reportIntervalMs: number;
  writeIntervalMs: number;
}

export interface GithubServiceDeps {
  settings: GithubSettings;
  runs: RunStore;
  logs: LogStore;
  actions: ActionRegistry;
  deliveries: DeliveryLog;
  reports: ReportStateStore;
  submit: SubmitDeps;
  deliveryQueue: IdQueue;
  reportQueue: IdQueue;
  log: Log;
  now: () => Date;
  fetch?: typeof fetch;
}

export interface GithubService {
  /** `POST /webhooks/github` (only when GITHUB_WEBHOOK_SECRET is set) */
  registerRoutes(app: Express): void;
  /** checks the credentials (throws naming the variable to fix), syncs the actions repository, starts processing */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const TAIL_LINES = 200;
const SWEEP_EVERY_MS = 10_000;
/** a delivery never claimed this long after it arrived lost its hand-over to the queue */
const SWEEP_AFTER_MS = 5 * 60_000;

export function createGithubService(deps: GithubServiceDeps): GithubService {
  const { settings, log } = deps;
  const clients = createGithubClients({ apiUrl: settings.apiUrl, auth: settings.auth, log, writeIntervalMs: settings.writeIntervalMs, ...(deps.fetch && { fetch: deps.fetch }) });
  const reader = new RepoReader();
  const actionsRepo: ActionsRepo | undefined = settings.actionsRepo === undefined ? undefined : parseActionsRepo(settings.actionsRepo);
  const octokitFor = (installationId: number | undefined) => clients.forInstallation(installationId);

  const syncFromPush = async (event: { repo: string; ref: string; sha: string; installationId?: number }): Promise<void> => {
    if (actionsRepo === undefined || event.repo.toLowerCase() !== `${actionsRepo.owner}/${actionsRepo.name}`.toLowerCase()) return;
    const ref = actionsRepo.ref ?? (await defaultBranch(event.installationId));
    if (event.ref !== `refs/heads/${ref}` && event.ref !== `refs/tags/${ref}` && event.ref !== ref) return;
    const result = await syncActions({ actions: deps.actions, reader }, octokitFor(event.installationId), actionsRepo, event.sha);
    log.info({ repo: event.repo, sha: event.sha, registered: result.registered, problems: result.problems.map((p) => p.file) }, 'shared actions synced');
  };
  const defaultBranch = async (installationId: number | undefined): Promise<string> => {
    if (actionsRepo === undefined) throw new Error('no actions repository');
    const { data } = await octokitFor(installationId).rest.repos.get({ owner: actionsRepo.owner, repo: actionsRepo.name });
    return data.default_branch;
  };

  const processDeps: ProcessDeps = {
    actions: deps.actions,
    submit: deps.submit,
    reader,
    builtins: builtinActions(settings.checkoutImage),
    limits: settings.limits,
    cloneToken: (installationId, repo) => clients.cloneToken(installationId, repo),
    deliveries: deps.deliveries,
    runs: deps.runs,
    octokitFor,
    onActionsPush: syncFromPush,
    log,
    now: deps.now,
  };

  const handleDelivery = async (id: string): Promise<void> => {
    const { retryInMs } = await processDelivery(processDeps, id);
    if (retryInMs !== undefined) await deps.deliveryQueue.enqueue(id, { delayMs: retryInMs });
  };
  // deliveries still `received` whose hand-over was lost (a crash right after the 202) or whose
  // processor died (its lease ran out): queued again; the claim lets one process work on each.
  // At start every free one goes; later only those waiting longer than a queue wait explains.
  const sweep = async (atStart: boolean): Promise<void> => {
    const now = deps.now().getTime();
    for (const pending of await deps.deliveries.list({ outcome: 'received' }, 500)) {
      const free = pending.leaseUntil === undefined || pending.leaseUntil.getTime() <= now;
      const overdue = pending.leaseUntil !== undefined || now - pending.receivedAt.getTime() > SWEEP_AFTER_MS;
      if (free && (atStart || overdue)) await deps.deliveryQueue.enqueue(pending.id);
    }
  };
  let sweeper: NodeJS.Timeout | undefined;

  // one report of a run at a time: two at once would both create its check run
  const reporting = new Map<string, Promise<void>>();
  const handleReport = (runId: string): Promise<void> => {
    const previous = reporting.get(runId) ?? Promise.resolve();
    const next = previous.then(() => reportOnce(runId));
    reporting.set(runId, next);
    return next.finally(() => {
      if (reporting.get(runId) === next) reporting.delete(runId);
    });
  };
  const reportOnce = async (runId: string): Promise<void> => {
    try {
      const outcome = await reportRun(
        {
          runs: deps.runs,
          logs: deps.logs,
          states: deps.reports,
          octokitFor,
          ...(settings.publicUrl !== undefined && { publicUrl: settings.publicUrl }),
          progressEveryMs: settings.reportIntervalMs,
          tailLines: TAIL_LINES,
          now: deps.now,
        },
        runId,
      );
      if (outcome.againInMs !== undefined) await deps.reportQueue.enqueue(runId, { delayMs: outcome.againInMs });
    } catch (err) {
      // a failed report never fails the run: keep trying, backing off, until GitHub takes it
      const state = (await deps.reports.get(runId)) ?? { runId };
      const failures = (state.failures ?? 0) + 1;
      await deps.reports.put({ runId, failures });
      const delayMs = Math.min(1000 * 2 ** (failures - 1), 5 * 60_000);
      log.warn({ err: String(err), runId, failures, delayMs }, 'reporting to GitHub failed; trying again');
      await deps.reportQueue.enqueue(runId, { delayMs });
    }
  };

  return {
    registerRoutes(app) {
      if (settings.webhookSecret === undefined) return;
      registerGithubWebhook(app, {
        secret: settings.webhookSecret,
        deliveries: deps.deliveries,
        enqueue: (id) => deps.deliveryQueue.enqueue(id),
        log,
        now: deps.now,
      });
    },
    async start() {
      try {
        const who = await clients.verify();
        log.info({ mode: who.mode, name: who.name, api: settings.apiUrl }, 'GitHub credentials verified');
      } catch (err) {
        // wrong settings stop the start; GitHub failing (5xx, rate limit) only delays the work
        if (err instanceof GithubConfigError) throw err;
        log.warn({ err: String(err) }, 'GitHub did not confirm the credentials now; webhooks are accepted and processed once it answers');
      }
      await deps.reportQueue.start(handleReport);
      await deps.deliveryQueue.start(handleDelivery);
      await sweep(true);
      sweeper = setInterval(() => void sweep(false).catch((err: unknown) => log.warn({ err: String(err) }, 'could not sweep pending webhook deliveries')), SWEEP_EVERY_MS);
      sweeper.unref();
      if (actionsRepo !== undefined) {
        await syncAtStart(actionsRepo).catch((err: unknown) => log.error({ err: String(err) }, 'could not sync the shared actions repository (PISTAGES_ACTIONS_REPO); the registered actions stay as they are'));
      }
    },
    async stop() {
      clearInterval(sweeper);
      await deps.deliveryQueue.stop({ drain: true });
      await deps.reportQueue.stop({ drain: true });
    },
  };

  async function syncAtStart(repo: ActionsRepo): Promise<void> {
    const installationId = await clients.repoInstallation(repo);
    const octokit = octokitFor(installationId);
    const ref = repo.ref ?? (await defaultBranch(installationId));
    const sha = await reader.resolveRef(octokit, repo, ref);
    const result = await syncActions({ actions: deps.actions, reader }, octokit, repo, sha);
    log.info({ repo: `${repo.owner}/${repo.name}`, ref, sha, registered: result.registered, unchanged: result.unchanged.length, problems: result.problems.map((p) => p.file) }, 'shared actions synced at start-up');
  }
}
