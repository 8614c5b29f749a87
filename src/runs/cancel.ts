import { TERMINAL_STATUSES } from '../pipeline/types.ts';
import type { RunRecord, RunStore } from '../store/store.ts';
import { RunStateError } from './errors.ts';

export interface CancelDeps {
  runs: Pick<RunStore, 'requestCancel'>;
  /** told after the request is stored, so a worker in this process stops the run at once */
  onCancel?: (runId: string) => void;
}

/**
 * Asks for a run to be cancelled: a queued run ends `cancelled` at once, a running one when its
 * worker sees the request. A finished run cannot be cancelled (RunStateError, with its status).
 */
export async function cancelRun(deps: CancelDeps, run: RunRecord): Promise<RunRecord> {
  if (TERMINAL_STATUSES.includes(run.status)) {
    throw new RunStateError(`run ${run.id} already finished (${run.status}); nothing to cancel`, run.status);
  }
  const updated = await deps.runs.requestCancel(run.id);
  if (updated === null) throw new RunStateError(`run ${run.id} disappeared while cancelling`, run.status);
  deps.onCancel?.(run.id);
  return updated;
}
