import type Dockerode from 'dockerode';
import { causeOf, describeEngine, engineError, statusOf } from './engine-errors.ts';
import { HOST_LABEL, MANAGED_LABEL, PID_LABEL, RUN_LABEL } from './labels.ts';
import { isInUse } from './run-networks.ts';

export interface ReapResult {
  containers: number;
  volumes: number;
  networks: number;
}

type Labels = Record<string, string> | undefined;

/**
 * Removes containers, volumes and networks labelled `pistages.managed=true` whose run is over (or
 * that carry no run id): what a crashed worker or a killed CLI left behind. Run it at worker start
 * and periodically. `isRunActive` is asked once per run id; anything of an active run is kept.
 *
 * Containers go first so their workspaces and networks are no longer in use. An object that
 * disappears meanwhile (another reaper, the run's own clean-up) is not counted and not an error; a
 * volume or network still in use is left for the next pass. Other failures throw ExecutorError('engine').
 */
export async function reapOrphans(docker: Dockerode, isRunActive: (runId: string) => Promise<boolean>): Promise<ReapResult> {
  const verdicts = new Map<string, Promise<boolean>>();
  return reap(docker, [`${MANAGED_LABEL}=true`], async (labels) => {
    const runId = labels?.[RUN_LABEL];
    if (runId === undefined || runId === '') return true;
    let active = verdicts.get(runId);
    if (active === undefined) {
      active = isRunActive(runId);
      verdicts.set(runId, active);
    }
    return !(await active);
  });
}

/**
 * `pistages prune`: removes what local runs on `host` left behind, i.e. the managed objects whose
 * PID_LABEL names a process `isProcessAlive` says is gone. Objects of other hosts, of live
 * processes, and of server runs (no PID_LABEL) are kept. Same guarantees as reapOrphans.
 */
export async function reapLocalLeftovers(docker: Dockerode, host: string, isProcessAlive: (pid: number) => boolean): Promise<ReapResult> {
  return reap(docker, [`${MANAGED_LABEL}=true`, `${HOST_LABEL}=${host}`], async (labels) => {
    const pid = Number(labels?.[PID_LABEL]);
    return Number.isInteger(pid) && pid > 0 && !isProcessAlive(pid);
  });
}

async function reap(docker: Dockerode, label: string[], isOver: (labels: Labels) => Promise<boolean>): Promise<ReapResult> {
  const where = describeEngine(docker.modem);
  const filters = { label };
  let containers = 0;
  try {
    for (const info of await docker.listContainers({ all: true, filters })) {
      if (!(await isOver(info.Labels))) continue;
      if (await ignoringGone(docker.getContainer(info.Id).remove({ force: true }))) containers++;
    }
  } catch (err) {
    throw engineError('remove leftover containers', err, where);
  }

  let volumes = 0;
  try {
    const { Volumes } = await docker.listVolumes({ filters });
    for (const info of Volumes ?? []) {
      if (!(await isOver(info.Labels ?? undefined))) continue;
      if (await ignoringGone(docker.getVolume(info.Name).remove(), (err) => statusOf(err) === 409)) volumes++;
    }
  } catch (err) {
    throw engineError('remove leftover workspace volumes', err, where);
  }

  let networks = 0;
  try {
    for (const info of await docker.listNetworks({ filters })) {
      if (!(await isOver(info.Labels))) continue;
      if (await ignoringGone(docker.getNetwork(info.Id).remove(), isInUse)) networks++;
    }
  } catch (err) {
    throw engineError('remove leftover run networks', err, where);
  }
  return { containers, volumes, networks };
}

/** true when the removal happened; false when the object was already gone (or `skip` says to leave it). */
async function ignoringGone(removal: Promise<unknown>, skip: (err: unknown) => boolean = () => false): Promise<boolean> {
  try {
    await removal;
    return true;
  } catch (err) {
    const status = statusOf(err);
    if (status === 404 || (status === 409 && /already in progress/i.test(causeOf(err))) || skip(err)) return false;
    throw err;
  }
}
