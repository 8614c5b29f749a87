import { ExecutorError, type Executor } from '../executor/executor.ts';

export interface EngineWatch {
  executor: Executor;
  /** the message of the last ExecutorError('engine') a call that runs the job threw, if one did */
  readonly engineFailure: string | undefined;
}

/**
 * Wraps an executor to remember whether the container engine itself failed during a run.
 * run-job reports such a run as `error` like any other system failure; the worker uses this to
 * tell a transient engine failure (worth re-queueing with backoff) from a missing image, a bad
 * template or what the job itself asked for (ExecutorError 'job': malformed outputs, a refused
 * limit, a command too long), which would fail the same way again and must not run twice.
 * Removals are not watched: a clean-up that fails never sets a status, so it must not make an
 * `error` that had another cause look like the engine's (and run the job's steps again).
 */
export function watchEngine(inner: Executor): EngineWatch {
  let engineFailure: string | undefined;
  const seen = <T>(call: () => Promise<T>): Promise<T> =>
    call().catch((err: unknown) => {
      if (err instanceof ExecutorError && err.kind === 'engine') engineFailure = err.message;
      throw err;
    });
  const { prepareRun, releaseRun } = inner;
  const executor: Executor = {
    ...(prepareRun && { prepareRun: (run, signal) => seen(() => prepareRun.call(inner, run, signal)) }),
    ...(releaseRun && { releaseRun: (resources) => releaseRun.call(inner, resources) }),
    createWorkspace: (scope) => seen(() => inner.createWorkspace(scope)),
    removeWorkspace: (workspace) => inner.removeWorkspace(workspace),
    startContainer: (request, signal) => seen(() => inner.startContainer(request, signal)),
    exec: (container, request, sink, signal) => seen(() => inner.exec(container, request, sink, signal)),
    removeContainer: (container) => inner.removeContainer(container),
  };
  return {
    executor,
    get engineFailure() {
      return engineFailure;
    },
  };
}
