import type { NewRun, RunRecord, RunStore } from '../store/store.ts';
import { QueueUnavailableError, SecretsDisabledError } from './errors.ts';
import { defaultSecretScope } from './secret-scope.ts';

/** What submitting needs: where runs are kept and how they reach workers. */
export interface SubmitDeps {
  runs: Pick<RunStore, 'create' | 'finish'>;
  queue: { enqueue(runId: string): Promise<void> };
  /** false without PISTAGES_SECRET_KEY: jobs that use secrets are refused */
  secretsEnabled: boolean;
  /** stores values a run's steps get as masked environment variables (the checkout token, say) */
  credentials?: { put(runId: string, values: Record<string, string>, expiresAt: Date): Promise<void> };
  now: () => Date;
  log: { error(obj: object, msg?: string): void };
  /** told after a run was stored (metrics) */
  onSubmitted?: (run: RunRecord) => void;
}

export interface RunCredentials {
  values: Record<string, string>;
  expiresAt: Date;
}

/**
 * Stores a compiled run and queues it. The run is created before it is queued, so a worker never
 * gets an id it cannot load; when queueing fails the stored run is finished as `error` (it would
 * otherwise sit `queued` forever) and QueueUnavailableError says so with the id. A run without a
 * `secretScope` (webhook runs) is stored with the default one (secret-scope.ts).
 */
export async function submitRun(deps: SubmitDeps, run: NewRun, credentials?: RunCredentials): Promise<RunRecord> {
  if (run.plan.secrets.length > 0 && !deps.secretsEnabled) throw new SecretsDisabledError();
  const record = await deps.runs.create({ ...run, secretScope: run.secretScope ?? defaultSecretScope(run) });
  deps.onSubmitted?.(record);
  try {
    if (credentials !== undefined && deps.credentials !== undefined) {
      await deps.credentials.put(record.id, credentials.values, credentials.expiresAt);
    }
    await deps.queue.enqueue(record.id);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await deps.runs.finish(record.id, 'error', `the run could not be queued: ${reason}`, deps.now());
    deps.log.error({ runId: record.id, err: error }, 'queueing a run failed; marked it error');
    throw new QueueUnavailableError(record.id, reason);
  }
  return record;
}
