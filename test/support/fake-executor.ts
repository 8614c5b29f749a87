/**
 * A scriptable, in-memory Executor for run-job tests (Woodpecker's "dummy backend").
 * Each command text maps to a behaviour: exit code, output chunks, outputs, an ExecutorError, a
 * wait on a test-controlled promise, or hanging until aborted. Every call is recorded, and
 * contract violations (exec in a removed container, a workspace removed under a live container)
 * are collected in `violations` so tests can assert the run used the backend correctly.
 */
import type {
  ChunkSink,
  ContainerHandle,
  ContainerSpecRequest,
  ExecRequest,
  ExecResult,
  Executor,
  OutputStream,
  RunRef,
  RunResources,
  RunScope,
  Workspace,
} from '../../src/executor/executor.ts';
import { ExecutorError } from '../../src/executor/executor.ts';

export type Chunk = string | { stream?: OutputStream; text: string };

export interface CommandBehavior {
  exitCode?: number;
  /** written to the sink in order, each awaited (backpressure), before the command exits */
  output?: Chunk[];
  /** what the command "appended to $PISTAGES_OUTPUT" */
  outputs?: Record<string, string>;
  /** the command keeps running until this settles (or the exec is aborted) */
  waitFor?: () => Promise<unknown>;
  /** the command runs until aborted */
  hang?: boolean;
  /** exec rejects with this (after any output) */
  throws?: Error;
}

export interface StartBehavior {
  throws?: Error;
  /** start blocks until aborted */
  hang?: boolean;
}

export interface FakeExecutorOptions {
  /** per command text; an array scripts successive runs of the command (the last one repeats) */
  commands?: Record<string, CommandBehavior | CommandBehavior[]>;
  /** for commands not in `commands`; default: exit 0, no output */
  otherCommand?: (request: ExecRequest) => CommandBehavior;
  /** images that "cannot be pulled": startContainer throws ExecutorError('image') */
  missingImages?: string[];
  startContainer?: (request: ContainerSpecRequest) => StartBehavior | undefined;
  createWorkspace?: (scope: RunScope) => Error | undefined;
  /** prepareRun throws this; with `hang`, it first blocks until aborted */
  prepareRun?: (run: RunRef) => { throws?: Error; hang?: boolean } | undefined;
  /** releaseRun throws this (the fake still forgets the run's resources) */
  releaseRunError?: (resources: RunResources) => Error | undefined;
  /** removal throws this (the fake still forgets the container, as Docker may have) */
  removeContainerError?: (container: ContainerHandle) => Error | undefined;
  removeWorkspaceError?: (workspace: Workspace) => Error | undefined;
  /** offer createOneShot/runOneShot (a one-shot container is a started container running one exec) */
  oneShot?: boolean;
}

export interface ExecCall {
  container: ContainerHandle;
  command: string;
  env: Record<string, string>;
  scope: RunScope;
  /** run as a one-shot container's own process (runOneShot), not as an exec */
  oneShot?: boolean;
  /** how it ended: an exit code, or the error/abort reason it rejected with */
  result?: { exitCode: number } | { rejected: unknown };
}

export type FakeCall =
  | { op: 'prepareRun'; run: RunRef; resources?: RunResources }
  | { op: 'releaseRun'; resources: RunResources }
  | { op: 'createWorkspace'; scope: RunScope; workspace: Workspace }
  | { op: 'removeWorkspace'; workspace: Workspace }
  | { op: 'startContainer'; request: ContainerSpecRequest; container?: ContainerHandle }
  | { op: 'exec'; call: ExecCall }
  | { op: 'removeContainer'; container: ContainerHandle };

interface LiveContainer {
  handle: ContainerHandle;
  scope: RunScope;
  workspace: string;
}

export class FakeExecutor implements Executor {
  readonly calls: FakeCall[] = [];
  readonly violations: string[] = [];
  /** most execs in flight at once, over the fake's lifetime */
  maxConcurrentExecs = 0;
  private running = 0;
  private nextId = 1;
  private readonly containers = new Map<string, LiveContainer>();
  private readonly workspaces = new Map<string, RunScope>();
  /** prepared and not yet released: network name → run id */
  private readonly prepared = new Map<string, string>();
  private readonly runs = new Map<string, number>();
  private readonly execWaiters: { command: string; resolve: (call: ExecCall) => void }[] = [];
  private readonly options: FakeExecutorOptions;

  createOneShot?: (request: ContainerSpecRequest, command: ExecRequest, signal: AbortSignal) => Promise<ContainerHandle>;
  runOneShot?: (container: ContainerHandle, sink: ChunkSink, signal: AbortSignal) => Promise<ExecResult>;
  /** one-shot containers created and not yet run: their command */
  private readonly oneShots = new Map<string, ExecRequest>();

  constructor(options: FakeExecutorOptions = {}) {
    this.options = options;
    if (options.oneShot) {
      this.createOneShot = async (request, command, signal) => {
        const handle = await this.startContainer(request, signal);
        this.oneShots.set(handle.id, command);
        return handle;
      };
      this.runOneShot = async (container, sink, signal) => {
        const command = this.oneShots.get(container.id);
        if (command === undefined) {
          this.violations.push(`runOneShot of container ${container.id}, which is no one-shot container or has run already`);
          throw new ExecutorError('engine', `no such one-shot container: ${container.id}`);
        }
        this.oneShots.delete(container.id);
        return this.exec(container, command, sink, signal, true);
      };
    }
  }

  /** ids of containers and workspaces created and not yet removed */
  live(): { containers: string[]; workspaces: string[] } {
    return { containers: [...this.containers.keys()], workspaces: [...this.workspaces.keys()] };
  }

  /** run resources (networks) prepared and not yet released */
  liveRuns(): string[] {
    return [...this.prepared.keys()];
  }

  /** the runs prepared so far, in order */
  preparedRuns(): RunRef[] {
    return this.calls.flatMap((c) => (c.op === 'prepareRun' ? [c.run] : []));
  }

  async prepareRun(run: RunRef, signal: AbortSignal): Promise<RunResources> {
    const record: FakeCall & { op: 'prepareRun' } = { op: 'prepareRun', run };
    this.calls.push(record);
    const behavior = this.options.prepareRun?.(run);
    if (behavior?.hang) await untilAborted(signal);
    await Promise.resolve();
    if (behavior?.throws) throw behavior.throws;
    if (this.isPrepared(run.runId)) this.violations.push(`run ${run.runId} prepared while already prepared`);
    const resources = { runId: run.runId, network: `net-${this.nextId++}` };
    this.prepared.set(resources.network, run.runId);
    record.resources = resources;
    return resources;
  }

  async releaseRun(resources: RunResources): Promise<void> {
    await Promise.resolve();
    this.calls.push({ op: 'releaseRun', resources });
    const inUse = [...this.containers.values(), ...[...this.workspaces.values()].map((scope) => ({ scope }))].filter((o) => o.scope.runId === resources.runId);
    if (inUse.length > 0) this.violations.push(`run ${resources.runId} released while ${inUse.length} container(s) or workspace(s) of it remain`);
    if (resources.network !== undefined) this.prepared.delete(resources.network);
    const error = this.options.releaseRunError?.(resources);
    if (error) throw error;
  }

  private isPrepared(runId: string): boolean {
    return [...this.prepared.values()].includes(runId);
  }

  execs(command?: string): ExecCall[] {
    return this.calls.flatMap((c) => (c.op === 'exec' && (command === undefined || c.call.command === command) ? [c.call] : []));
  }

  started(): ContainerSpecRequest[] {
    return this.calls.flatMap((c) => (c.op === 'startContainer' ? [c.request] : []));
  }

  /** resolves when an exec of `command` has started (now or earlier); rejects after `timeoutMs` */
  execStarted(command: string, timeoutMs = 2000): Promise<ExecCall> {
    const done = this.execs(command)[0];
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no exec of ${JSON.stringify(command)} within ${timeoutMs}ms`)), timeoutMs);
      this.execWaiters.push({
        command,
        resolve: (call) => {
          clearTimeout(timer);
          resolve(call);
        },
      });
    });
  }

  async createWorkspace(scope: RunScope): Promise<Workspace> {
    await Promise.resolve();
    const error = this.options.createWorkspace?.(scope);
    if (error) throw error;
    if (!this.isPrepared(scope.runId)) this.violations.push(`workspace created for run ${scope.runId}, which is not prepared`);
    const workspace = { id: `ws-${this.nextId++}` };
    this.workspaces.set(workspace.id, scope);
    this.calls.push({ op: 'createWorkspace', scope, workspace });
    return workspace;
  }

  async removeWorkspace(workspace: Workspace): Promise<void> {
    await Promise.resolve();
    this.calls.push({ op: 'removeWorkspace', workspace });
    for (const c of this.containers.values()) {
      if (c.workspace === workspace.id) this.violations.push(`workspace ${workspace.id} removed while container ${c.handle.id} uses it`);
    }
    this.workspaces.delete(workspace.id);
    const error = this.options.removeWorkspaceError?.(workspace);
    if (error) throw error;
  }

  async startContainer(request: ContainerSpecRequest, signal: AbortSignal): Promise<ContainerHandle> {
    const record: FakeCall & { op: 'startContainer' } = { op: 'startContainer', request };
    this.calls.push(record);
    if (!this.workspaces.has(request.workspace.id)) this.violations.push(`container started on missing workspace ${request.workspace.id}`);
    if (!this.isPrepared(request.scope.runId)) this.violations.push(`container started for run ${request.scope.runId}, which is not prepared`);
    const behavior = this.options.startContainer?.(request);
    if (behavior?.hang) await untilAborted(signal);
    if (signal.aborted) throw signal.reason;
    if (behavior?.throws) throw behavior.throws;
    if (this.options.missingImages?.includes(request.image)) {
      throw new ExecutorError('image', `image ${request.image} not found: pull access denied or repository does not exist`);
    }
    const handle = { id: `ct-${this.nextId++}`, image: request.image };
    this.containers.set(handle.id, { handle, scope: request.scope, workspace: request.workspace.id });
    record.container = handle;
    return handle;
  }

  async exec(container: ContainerHandle, request: ExecRequest, sink: ChunkSink, signal: AbortSignal, oneShot = false): Promise<ExecResult> {
    const live = this.containers.get(container.id);
    if (!oneShot && this.oneShots.has(container.id)) this.violations.push(`exec in one-shot container ${container.id}`);
    const call: ExecCall = {
      container,
      command: request.command,
      env: { ...request.env },
      scope: live?.scope ?? { runId: '?', job: '?', group: '?', attempt: 0 },
      ...(oneShot && { oneShot }),
    };
    this.calls.push({ op: 'exec', call });
    for (const waiter of this.execWaiters.filter((w) => w.command === request.command)) {
      this.execWaiters.splice(this.execWaiters.indexOf(waiter), 1);
      waiter.resolve(call);
    }
    this.running++;
    this.maxConcurrentExecs = Math.max(this.maxConcurrentExecs, this.running);
    try {
      if (!live) {
        this.violations.push(`exec in unknown or removed container ${container.id}`);
        throw new ExecutorError('engine', `no such container: ${container.id}`);
      }
      const behavior = this.behaviorFor(request);
      for (const chunk of behavior.output ?? []) {
        if (signal.aborted) throw signal.reason;
        const { stream, text } = typeof chunk === 'string' ? { stream: 'stdout' as const, text: chunk } : chunk;
        await sink(stream ?? 'stdout', Buffer.from(text));
      }
      if (behavior.hang) await untilAborted(signal);
      if (behavior.waitFor) await Promise.race([behavior.waitFor(), untilAborted(signal)]);
      if (signal.aborted) throw signal.reason;
      if (behavior.throws) throw behavior.throws;
      const exitCode = behavior.exitCode ?? 0;
      call.result = { exitCode };
      return { exitCode, outputs: { ...behavior.outputs } };
    } catch (err) {
      call.result = { rejected: err };
      throw err;
    } finally {
      this.running--;
    }
  }

  async removeContainer(container: ContainerHandle): Promise<void> {
    await Promise.resolve();
    this.calls.push({ op: 'removeContainer', container });
    this.containers.delete(container.id);
    this.oneShots.delete(container.id);
    const error = this.options.removeContainerError?.(container);
    if (error) throw error;
  }

  private behaviorFor(request: ExecRequest): CommandBehavior {
    const scripted = this.options.commands?.[request.command];
    if (scripted === undefined) return this.options.otherCommand?.(request) ?? {};
    if (!Array.isArray(scripted)) return scripted;
    const n = this.runs.get(request.command) ?? 0;
    this.runs.set(request.command, n + 1);
    return scripted[Math.min(n, scripted.length - 1)] ?? {};
  }
}

/** Rejects with the signal's reason once it aborts (never resolves). */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * A meeting point for `parties` concurrent tasks: `arrive()` resolves once all have arrived, and
 * rejects after `timeoutMs` otherwise, so a run that is not concurrent fails instead of hanging.
 */
export function createBarrier(parties: number, timeoutMs = 2000): { arrive: () => Promise<void>; arrived: () => number } {
  let count = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    arrived: () => count,
    arrive() {
      count++;
      if (count >= parties) open();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${count} of ${parties} parties arrived within ${timeoutMs}ms`)), timeoutMs);
        void opened.then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
