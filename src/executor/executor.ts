import type { Resources } from '../pipeline/types.ts';

/**
 * The container backend run-job drives. One implementation talks to Docker (executor/docker);
 * tests use a scriptable fake. Implementations hold no knowledge of plans, retries or statuses.
 */

/** Identifies what a container or workspace belongs to; used for labels and clean-up. */
export interface RunScope {
  runId: string;
  job: string;
  group: string;
  attempt: number;
}

export interface Workspace {
  readonly id: string;
}

/** One attempt of a whole run (every group of one runJob call), for what its groups share. */
export interface RunRef {
  runId: string;
  job: string;
  /** the first group attempt number of this runJob call */
  attempt: number;
}

/**
 * What the groups of one run attempt share, made by prepareRun; run-job only hands it back to
 * releaseRun. For Docker: the run's own network, so its groups reach each other and no other run does.
 */
export interface RunResources {
  readonly runId: string;
  /** the network made for this run; undefined when the run joins none of its own (`none`, a shared network) */
  readonly network?: string;
}

export interface ContainerSpecRequest {
  scope: RunScope;
  /** the plan's container number within the group */
  container: number;
  image: string;
  /** the container's own environment, which `docker inspect` shows: never secrets (each exec gets those) */
  env: Record<string, string>;
  resources?: Resources;
  workspace: Workspace;
  /**
   * Optional: told how a pull of `image` this start waits for goes, in lines a person reads
   * (`pulling alpine:3.20: 12.3 MB of 48.0 MB, 1/3 layers`); never called when no pull happens, and
   * never with a failure (the start then rejects). Called synchronously; must not throw.
   */
  onPull?: (line: string) => void;
}

export interface ContainerHandle {
  readonly id: string;
  readonly image: string;
}

export type OutputStream = 'stdout' | 'stderr';

/**
 * Receives raw output as it arrives. The executor must not read more output until the returned
 * promise settles (backpressure), so a slow consumer slows the step rather than growing memory.
 */
export type ChunkSink = (stream: OutputStream, chunk: Buffer) => void | Promise<void>;

export interface ExecRequest {
  /** one shell command, run as `sh -e -c <command>` in /workspace */
  command: string;
  /** environment for this exec, on top of the container's */
  env: Record<string, string>;
}

export interface ExecResult {
  exitCode: number;
  /** key=value lines the command appended to $PISTAGES_OUTPUT (later lines win) */
  outputs: Record<string, string>;
}

/**
 * Why an executor operation failed, so run-job can choose the status and the worker can tell an
 * infrastructure fault (worth running again elsewhere) from one the job itself caused:
 * - `job`: what the job asked for cannot be done (malformed or oversized $PISTAGES_OUTPUT, a
 *   resource limit the engine refuses, a command too long to exec); the step fails, once;
 * - `image`: the image is missing, cannot be pulled, or cannot run steps (no `sh`);
 * - `engine`: the backend itself is unreachable or failed; only this kind is an infrastructure fault.
 */
export type ExecutorErrorKind = 'job' | 'image' | 'engine';

export class ExecutorError extends Error {
  readonly kind: ExecutorErrorKind;

  constructor(kind: ExecutorErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExecutorError';
    this.kind = kind;
  }
}

/** What the engine can give one container; a plan asking for more cannot run there. */
export interface EngineCapacity {
  /** CPUs of the host (the most `cpus` a container may be limited to) */
  cpus: number;
}

export interface Executor {
  /**
   * Optional: what one container may have, so a run whose limits the engine would refuse fails
   * before its first step rather than midway. Throws ExecutorError('engine') like any call.
   */
  capacity?(): Promise<EngineCapacity>;

  /**
   * Optional: makes what the groups of one run attempt share, before its first workspace. run-job
   * calls it once per runJob call, before any group starts, and passes the result to releaseRun
   * after the last group has cleaned up, whatever happened (failure, cancel, a failing event sink).
   * Containers of `run.runId` started meanwhile use it. When it throws (ExecutorError, or the
   * signal's reason), it has left nothing behind, or only what the reaper removes by label.
   */
  prepareRun?(run: RunRef, signal: AbortSignal): Promise<RunResources>;

  /**
   * Removes what prepareRun made. Must be safe to call twice, and after the reaper or anyone else
   * removed it already. Throws ExecutorError('engine') when it stays (e.g. a container of the run
   * could not be removed); the reaper removes it later.
   */
  releaseRun?(resources: RunResources): Promise<void>;

  /** Creates the group's workspace, mounted at /workspace in each of its containers. */
  createWorkspace(scope: RunScope): Promise<Workspace>;

  /**
   * Removes the workspace. Must be safe to call after a failed create, twice, or while
   * containers still reference it after they were removed.
   */
  removeWorkspace(workspace: Workspace): Promise<void>;

  /**
   * Makes the image available (per the pull policy) and starts a long-lived container that
   * waits for execs. Throws ExecutorError('image') when the image cannot be had.
   * `signal` aborts a pull or start in progress.
   */
  startContainer(request: ContainerSpecRequest, signal: AbortSignal): Promise<ContainerHandle>;

  /**
   * Runs one command inside a started container and resolves when it exits. Output goes to
   * `sink` with backpressure. When `signal` aborts (timeout or cancel), the command's processes
   * are killed and the promise rejects with the signal's reason.
   */
  exec(container: ContainerHandle, request: ExecRequest, sink: ChunkSink, signal: AbortSignal): Promise<ExecResult>;

  /**
   * Optional, with runOneShot: creates (but does not start) a container whose own process is
   * `command` (`sh -e -c`), for a container that runs one command and no later step reuses: no
   * keep-alive shell, no exec, no kill at removal. Its environment is `request.env` plus `command.env`,
   * visible to `docker inspect`: callers pass no secrets here. Makes the image available like
   * startContainer; removed with removeContainer like any container.
   */
  createOneShot?(request: ContainerSpecRequest, command: ExecRequest, signal: AbortSignal): Promise<ContainerHandle>;

  /**
   * Starts a container made by createOneShot and resolves when its command exits, with exec's
   * contract: output to `sink` with backpressure, outputs read back, abort kills and rejects with
   * the signal's reason. Throws ExecutorError('image') when the image has no `sh`.
   */
  runOneShot?(container: ContainerHandle, sink: ChunkSink, signal: AbortSignal): Promise<ExecResult>;

  /** Stops and removes the container. Must be safe to call after a failed start, and twice. */
  removeContainer(container: ContainerHandle): Promise<void>;
}
