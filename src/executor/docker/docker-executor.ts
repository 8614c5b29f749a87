import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type Dockerode from 'dockerode';
import { ExecutorError, type ChunkSink, type ContainerHandle, type ContainerSpecRequest, type EngineCapacity } from '../executor.ts';
import type { ExecRequest, ExecResult, Executor, RunRef, RunResources, RunScope, Workspace } from '../executor.ts';
import { followCommand } from './follow-command.ts';
import { assertExecFits } from './exec-limits.ts';
import { causeOf, describeEngine, engineError, refusedByEngine, statusOf } from './engine-errors.ts';
import { ImageSource } from './image-source.ts';
import { objectName, scopeLabels } from './labels.ts';
import { readOutputs } from './read-outputs.ts';
import { removeRetrying } from './remove-retrying.ts';
import { startError } from './start-error.ts';
import type { DockerExecutorOptions } from './options.ts';
import { waitUntilReady } from './readiness.ts';
import { RunNetworks } from './run-networks.ts';
import { OUTPUT_DIR, outputsVolume, toContainerSpec, toEnvList, toOneShotSpec, WORKSPACE_DIR } from './to-container-spec.ts';
import { runOneShot } from './one-shot.ts';

/**
 * Executor on a Docker engine via dockerode.
 *
 * Abort: the engine has no API to kill an exec, and a step's processes may leave its process
 * group, so an aborted exec kills the whole container (SIGKILL). After a timeout or cancel the
 * group ends anyway; a later exec in that container fails with ExecutorError('engine'). A sink
 * that throws is handled the same way, and its error rethrown unchanged. So when exec resolves, its
 * command has exited (processes it put in the background keep running: the inherited context);
 * when it rejects, nothing it started is left running.
 *
 * Outputs: every exec gets its own fresh $PISTAGES_OUTPUT file in OUTPUT_DIR, read back with the
 * archive API (no second exec; a command that wrote none costs ~1 ms), so nothing needs resetting
 * between steps.
 *
 * Networks: see network-mode.ts; prepareRun makes the run's own network, which startContainer
 * looks up by the request's run id.
 */
export class DockerExecutor implements Executor {
  readonly #docker: Dockerode;
  readonly #options: DockerExecutorOptions;
  readonly #where: string;
  readonly #images: ImageSource;
  readonly #log: (message: string) => void;
  readonly #networks: RunNetworks;
  /** one-shot containers created and not yet run, with what they were created for */
  readonly #oneShots = new Map<string, ContainerSpecRequest>();
  #capacity: Promise<EngineCapacity> | undefined;

  constructor(options: DockerExecutorOptions) {
    this.#docker = options.docker;
    this.#options = options;
    this.#where = describeEngine(options.docker.modem);
    this.#log = options.log ?? (() => {});
    this.#images = new ImageSource(options.docker, options.pullPolicy, this.#where, this.#log);
    this.#networks = new RunNetworks({ docker: options.docker, network: options.network, labels: options.labels, where: this.#where, log: this.#log });
  }

  /** The host's CPU count, asked once per executor: it does not change while the engine runs. */
  async capacity(): Promise<EngineCapacity> {
    this.#capacity ??= this.#docker.info().then(
      (info: { NCPU?: number }) => ({ cpus: info.NCPU ?? Infinity }),
      (err: unknown) => {
        this.#capacity = undefined;
        throw engineError('read the engine\'s capacity', err, this.#where);
      },
    );
    return this.#capacity;
  }

  prepareRun(run: RunRef, signal: AbortSignal): Promise<RunResources> {
    return this.#networks.prepare(run, signal);
  }

  releaseRun(resources: RunResources): Promise<void> {
    return this.#networks.release(resources);
  }

  /** Two volumes: the workspace itself (filled by options.workspaceSource) and its outputs tmpfs (see outputsVolume). */
  async createWorkspace(scope: RunScope): Promise<Workspace> {
    const workspace = { id: objectName([scope.runId, scope.group, `a${scope.attempt}`, 'ws'], uniqueSuffix()) };
    const labels = scopeLabels(scope, this.#options.labels);
    const outputs = outputsVolume(workspace);
    try {
      if (this.#options.workspaceSource) await this.#options.workspaceSource.createVolume(workspace.id, labels);
      else await this.#docker.createVolume({ Name: workspace.id, Labels: labels });
      await this.#docker.createVolume({ Name: outputs.name, Labels: labels, Driver: 'local', DriverOpts: outputs.driverOpts });
    } catch (err) {
      // Half a workspace must not stay behind; if even this fails, the reaper gets it later.
      await this.removeWorkspace(workspace).catch((cleanup: unknown) => this.#log(`could not remove workspace ${workspace.id}: ${causeOf(cleanup)}`));
      throw engineError(`create workspace volume ${workspace.id}`, err, this.#where);
    }
    return workspace;
  }

  async removeWorkspace(workspace: Workspace): Promise<void> {
    await this.#removeVolume(outputsVolume(workspace).name);
    await this.#removeVolume(workspace.id);
  }

  async #removeVolume(name: string): Promise<void> {
    try {
      // "in use" (409) right after a container removal is transient; give the engine a moment.
      await removeRetrying(
        () => this.#docker.getVolume(name).remove(),
        (err) => statusOf(err) === 409,
        () => this.#log(`volume ${name} still in use; retrying removal`),
      );
    } catch (err) {
      throw engineError(`remove workspace volume ${name}`, err, this.#where);
    }
  }

  async startContainer(request: ContainerSpecRequest, signal: AbortSignal): Promise<ContainerHandle> {
    signal.throwIfAborted();
    const spec = toContainerSpec(request, this.#options, this.#networks.forContainer(request.scope.runId));
    const { scope } = request;
    spec.name = objectName([scope.runId, scope.group, `a${scope.attempt}`, `c${request.container}`], uniqueSuffix());
    await this.#images.ensure(request.image, signal, request.onPull);
    const container = await this.#create(spec, request, signal);
    try {
      await container.start();
      await waitUntilReady(container, signal);
    } catch (err) {
      await this.removeContainer({ id: container.id, image: request.image }).catch((cleanup: unknown) =>
        this.#log(`could not remove container ${container.id} after a failed start: ${causeOf(cleanup)}`),
      );
      if (signal.aborted) throw signal.reason;
      throw startError(err, request, this.#where);
    }
    return { id: container.id, image: request.image };
  }

  async exec(handle: ContainerHandle, request: ExecRequest, sink: ChunkSink, signal: AbortSignal): Promise<ExecResult> {
    signal.throwIfAborted();
    assertExecFits(request);
    const container = this.#docker.getContainer(handle.id);
    const outputFile = `${OUTPUT_DIR}/output-${uniqueSuffix()}`;
    let exec: Dockerode.Exec;
    try {
      exec = await container.exec({
        Cmd: ['sh', '-e', '-c', request.command],
        Env: toEnvList({ ...request.env, PISTAGES_OUTPUT: outputFile }),
        WorkingDir: WORKSPACE_DIR,
        AttachStdin: false,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
    } catch (err) {
      throw this.#containerGone(handle, err) ?? engineError(`run a command in container ${handle.id}`, err, this.#where);
    }

    const describe = (err: unknown): Error => this.#containerGone(handle, err) ?? engineError(`run a command in container ${handle.id}`, err, this.#where);
    return followCommand(
      async () => (await exec.start({})) as NodeJS.ReadableStream & AsyncIterable<Buffer>,
      sink,
      signal,
      { kill: () => this.#kill(handle.id), describe },
      async () => {
        const exitCode = await this.#exitCode(exec);
        return { exitCode, outputs: await readOutputs(container, outputFile, exitCode, this.#where) };
      },
    );
  }

  async createOneShot(request: ContainerSpecRequest, command: ExecRequest, signal: AbortSignal): Promise<ContainerHandle> {
    signal.throwIfAborted();
    assertExecFits(command);
    const spec = toOneShotSpec(request, command, this.#options, this.#networks.forContainer(request.scope.runId));
    const { scope } = request;
    spec.name = objectName([scope.runId, scope.group, `a${scope.attempt}`, `c${request.container}`], uniqueSuffix());
    await this.#images.ensure(request.image, signal, request.onPull);
    const container = await this.#create(spec, request, signal);
    this.#oneShots.set(container.id, request);
    return { id: container.id, image: request.image };
  }

  async runOneShot(handle: ContainerHandle, sink: ChunkSink, signal: AbortSignal): Promise<ExecResult> {
    const request = this.#oneShots.get(handle.id);
    if (!request) throw new Error(`container ${handle.id} was not created by createOneShot, or has run already`);
    this.#oneShots.delete(handle.id);
    return runOneShot(this.#docker.getContainer(handle.id), sink, signal, { request, kill: () => this.#kill(handle.id), where: this.#where });
  }

  async removeContainer(container: ContainerHandle): Promise<void> {
    this.#oneShots.delete(container.id);
    try {
      await this.#docker.getContainer(container.id).remove({ force: true });
    } catch (err) {
      const status = statusOf(err);
      // 404: already gone; 409 "removal already in progress": another call is finishing the job.
      if (status === 404 || (status === 409 && /already in progress/i.test(causeOf(err)))) return;
      throw engineError(`remove container ${container.id}`, err, this.#where);
    }
  }

  async #create(spec: Dockerode.ContainerCreateOptions, request: ContainerSpecRequest, signal: AbortSignal): Promise<Dockerode.Container> {
    for (let attempt = 1; ; attempt++) {
      try {
        // No abortSignal here: an abort mid-request could leave a container whose id we never learn.
        const container = await this.#docker.createContainer(spec);
        if (signal.aborted) {
          await this.removeContainer({ id: container.id, image: request.image });
          throw signal.reason;
        }
        return container;
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        // The image was removed since it was found: find (or pull) it again, once.
        if (statusOf(err) === 404 && attempt === 1 && /image/i.test(causeOf(err))) {
          this.#images.forget(request.image);
          await this.#images.ensure(request.image, signal, request.onPull);
          continue;
        }
        throw refusedByEngine(err, 'create', request.resources) ?? engineError(`create a container from image '${request.image}'`, err, this.#where);
      }
    }
  }

  /** Kills every process of the container; a container already stopped or removed is fine. */
  async #kill(id: string): Promise<void> {
    try {
      await this.#docker.getContainer(id).kill({ signal: 'SIGKILL' });
    } catch (err) {
      const status = statusOf(err);
      if (status !== 404 && status !== 409) this.#log(`could not kill container ${id}: ${causeOf(err)}`);
    }
  }

  async #exitCode(exec: Dockerode.Exec): Promise<number> {
    // The output can end a moment before the engine records the exit code.
    for (let attempt = 1; ; attempt++) {
      const info = await exec.inspect();
      if (!info.Running && info.ExitCode !== null) return info.ExitCode;
      if (attempt === 100) throw new ExecutorError('engine', `the engine reported no exit code for exec ${exec.id} after its output ended`);
      await delay(Math.min(5 * attempt, 50));
    }
  }

  /** A clear error when the container is no longer running (killed by an earlier abort, exited, removed). */
  #containerGone(handle: ContainerHandle, err: unknown): ExecutorError | undefined {
    const status = statusOf(err);
    if (status !== 404 && status !== 409) return undefined;
    return new ExecutorError(
      'engine',
      `container ${handle.id.slice(0, 12)} (image '${handle.image}') is not running: ${causeOf(err)}. It was removed, or killed when an earlier step timed out or was cancelled.`,
      { cause: err },
    );
  }
}

function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}
