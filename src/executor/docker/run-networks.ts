import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { ExecutorError, type RunRef, type RunResources } from '../executor.ts';
import { causeOf, engineError, statusOf } from './engine-errors.ts';
import { objectName, runLabels } from './labels.ts';
import { networkMode, type NetworkMode } from './network-mode.ts';
import { removeRetrying } from './remove-retrying.ts';

/** Prefix of the host-side bridge interface of every run network (at most 15 characters in all). */
export const BRIDGE_PREFIX = 'pst-';

export interface RunNetworksOptions {
  docker: Dockerode;
  /** PISTAGES_NETWORK (see network-mode.ts) */
  network: string;
  labels?: Record<string, string>;
  /** the engine, for error messages */
  where: string;
  log: (message: string) => void;
}

/**
 * The networks of runs of one executor: made by prepare, looked up by the run's containers,
 * removed by release. Labelled like workspaces (run, job, attempt, managed), so the reaper removes
 * the networks of runs that ended without a release (a crashed worker, a killed `pistages run`).
 */
export class RunNetworks {
  readonly #docker: Dockerode;
  readonly #mode: NetworkMode;
  readonly #setting: string;
  readonly #labels: Record<string, string>;
  readonly #where: string;
  readonly #log: (message: string) => void;
  /** the prepared run of each run id; one attempt of a run at a time per executor */
  readonly #byRun = new Map<string, RunResources>();

  constructor(options: RunNetworksOptions) {
    this.#docker = options.docker;
    this.#setting = options.network;
    this.#mode = networkMode(options.network);
    this.#labels = options.labels ?? {};
    this.#where = options.where;
    this.#log = options.log;
  }

  async prepare(run: RunRef, signal: AbortSignal): Promise<RunResources> {
    signal.throwIfAborted();
    if (!this.#mode.own) {
      const shared = { runId: run.runId };
      this.#byRun.set(run.runId, shared);
      return shared;
    }
    const suffix = randomBytes(4).toString('hex');
    const name = objectName([run.runId, `a${run.attempt}`, 'net'], suffix);
    const labels = { ...runLabels(run.runId, run.job, this.#labels), 'pistages.attempt': String(run.attempt) };
    try {
      // No abortSignal here: an abort mid-request could leave a network nobody knows about.
      await this.#docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        Internal: this.#mode.internal,
        CheckDuplicate: true,
        Labels: labels,
        // a host interface name operators can match in firewall rules (`-i pst-+`), like `docker0`
        Options: { 'com.docker.network.bridge.name': `${BRIDGE_PREFIX}${suffix}` },
      });
    } catch (err) {
      throw createError(name, err, this.#where);
    }
    const resources: RunResources = { runId: run.runId, network: name };
    if (signal.aborted) {
      await this.release(resources).catch((cleanup: unknown) => this.#log(`could not remove network ${name}: ${causeOf(cleanup)}`));
      throw signal.reason;
    }
    this.#byRun.set(run.runId, resources);
    return resources;
  }

  /**
   * The prepared run a container of `runId` belongs to. With networks of their own, a run that was
   * never prepared is a programming error: its containers would otherwise get no network.
   */
  forContainer(runId: string): RunResources | undefined {
    const run = this.#byRun.get(runId);
    if (run === undefined && this.#mode.own) {
      throw new Error(
        `run ${runId} has no network of its own: call the executor's prepareRun before starting its containers ` +
          `(PISTAGES_NETWORK=${this.#setting} gives each run a network of its own)`,
      );
    }
    return run;
  }

  /** Safe twice and for a network already gone; retries briefly while just-removed containers still count as attached. */
  async release(resources: RunResources): Promise<void> {
    if (this.#byRun.get(resources.runId) === resources) this.#byRun.delete(resources.runId);
    const name = resources.network;
    if (name === undefined) return;
    try {
      await removeRetrying(
        () => this.#docker.getNetwork(name).remove(),
        isInUse,
        () => this.#log(`network ${name} still has containers attached; retrying removal`),
      );
    } catch (err) {
      const hint = isInUse(err) ? '; a container of the run is still attached (it could not be removed)' : '';
      throw new ExecutorError('engine', `${engineError(`remove network ${name}`, err, this.#where).message}${hint}`, { cause: err });
    }
  }
}

/** 403 "has active endpoints" (409 on some engines): containers are still attached. */
export function isInUse(err: unknown): boolean {
  const status = statusOf(err);
  return (status === 403 || status === 409) && /active endpoints|in use/i.test(causeOf(err));
}

function createError(name: string, err: unknown, where: string): ExecutorError {
  if (/non-overlapping|address pool/i.test(causeOf(err))) {
    return new ExecutorError(
      'engine',
      `cannot create network ${name}: the Docker engine has no free address range left (${causeOf(err)}). ` +
        'Each run gets a network of its own: give dockerd more, smaller ranges with "default-address-pools" in ' +
        '/etc/docker/daemon.json (e.g. [{"base":"10.200.0.0/16","size":24}] for 256 networks), remove unused networks ' +
        '(`docker network prune`), or run fewer runs at once (PISTAGES_CONCURRENCY).',
      { cause: err },
    );
  }
  return engineError(`create network ${name}`, err, where);
}
