import type { ChildProcess } from 'node:child_process';

export type SupervisedState = 'starting' | 'up' | 'restarting' | 'down' | 'stopped';

export interface SupervisedStatus {
  state: SupervisedState;
  /** what happened last, for health answers and logs */
  detail: string;
  /** unexpected exits since the start */
  restarts: number;
  pid: number | undefined;
}

export interface SupervisorLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SuperviseOptions {
  name: string;
  /** spawns the process; called again for every restart */
  spawn(): ChildProcess;
  /**
   * Resolves once the process serves, rejects when it cannot (bounded by the caller's own deadline).
   * `exited` settles when this child exits, so a check can stop waiting on a dead process.
   */
  ready(child: ChildProcess, exited: Promise<void>, output: () => string): Promise<void>;
  log: SupervisorLog;
  /** first restart delay; doubles per failed attempt up to maxBackoffMs (default 500 ms, 30 s) */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** consecutive failed restarts after which the state is `down` (it keeps trying; default 5) */
  downAfter?: number;
  /** a process that served this long before exiting restarts at the first delay again (default 60 s) */
  stableMs?: number;
  /** the stop signal and how long to wait before SIGKILL (default SIGTERM, 10 s) */
  stopSignal?: NodeJS.Signals;
  stopTimeoutMs?: number;
  /** called with the new child after every successful (re)start */
  onStarted?(child: ChildProcess): void;
}

export interface Supervised {
  status(): SupervisedStatus;
  /** the current child's pid, or undefined between restarts */
  pid(): number | undefined;
  /** stops the child and every pending restart; safe to call twice */
  stop(): Promise<void>;
}

/**
 * Starts a child process, waits until `ready`, and restarts it with exponential backoff whenever it
 * exits without being asked to. Rejects when the first start fails (nothing is left running).
 */
export async function superviseProcess(options: SuperviseOptions): Promise<Supervised> {
  const backoffMs = options.backoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const downAfter = options.downAfter ?? 5;
  const stableMs = options.stableMs ?? 60_000;
  let current: { child: ChildProcess; exited: Promise<void>; output: () => string } | undefined;
  let status: SupervisedStatus = { state: 'starting', detail: `starting ${options.name}`, restarts: 0, pid: undefined };
  let stopped = false;
  let failures = 0;
  let upSince = 0;
  let timer: NodeJS.Timeout | undefined;

  const launch = async (): Promise<void> => {
    const child = options.spawn();
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<void>((done) => {
      child.once('exit', () => done());
      child.once('error', (err) => {
        output += `\n${err.message}`;
        done();
      });
    });
    current = { child, exited, output: () => output };
    try {
      await options.ready(child, exited, () => output);
    } catch (err) {
      child.kill('SIGKILL');
      await exited;
      current = undefined;
      throw err;
    }
    if (stopped) return;
    upSince = Date.now();
    status = { state: 'up', detail: `${options.name} is serving (pid ${child.pid})`, restarts: status.restarts, pid: child.pid };
    options.onStarted?.(child);
    void exited.then(() => {
      if (stopped || current?.child !== child) return;
      current = undefined;
      const how = child.signalCode !== null ? `signal ${child.signalCode}` : `code ${child.exitCode}`;
      if (Date.now() - upSince >= stableMs) failures = 0;
      options.log.error({ process: options.name, pid: child.pid, exit: how, output: output.slice(-1000) }, `the embedded ${options.name} exited; restarting it`);
      const cause = causeLine(output);
      scheduleRestart(`${options.name} exited (${how})${cause === undefined ? '' : `: ${cause}`}`);
    });
  };

  const scheduleRestart = (reason: string): void => {
    if (stopped) return;
    const delayMs = Math.min(maxBackoffMs, backoffMs * 2 ** failures);
    failures++;
    status = {
      state: failures > downAfter ? 'down' : 'restarting',
      detail: `${reason}; restart ${failures} in ${delayMs} ms`,
      restarts: status.restarts + 1,
      pid: undefined,
    };
    timer = setTimeout(() => {
      timer = undefined;
      launch().then(
        () => options.log.info({ process: options.name, pid: current?.child.pid }, `restarted the embedded ${options.name}`),
        (err: unknown) => {
          options.log.warn({ process: options.name, err }, `could not restart the embedded ${options.name}`);
          const text = err instanceof Error ? err.message : String(err);
          scheduleRestart(`${options.name} did not start again: ${causeLine(text) ?? text.split('\n')[0]}`);
        },
      );
    }, delayMs);
  };

  await launch();
  let stopping: Promise<void> | undefined;
  return {
    status: () => status,
    pid: () => current?.child.pid,
    stop: () => {
      stopping ??= (async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        status = { state: 'stopped', detail: `${options.name} was stopped`, restarts: status.restarts, pid: undefined };
        const running = current;
        if (running === undefined || running.child.exitCode !== null || running.child.signalCode !== null) return;
        running.child.kill(options.stopSignal ?? 'SIGTERM');
        const killer = setTimeout(() => running.child.kill('SIGKILL'), options.stopTimeoutMs ?? 10_000);
        await running.exited;
        clearTimeout(killer);
      })();
      return stopping;
    },
  };
}

/**
 * The line of a server's output that says why it stopped (PostgreSQL's last PANIC or FATAL line,
 * else its last ERROR), without the time stamp: "FATAL:  could not write to file ...: No space
 * left on device" tells an operator more than the exit code.
 */
export function causeLine(output: string): string | undefined {
  const lines = output.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const worst = lines.findLast((line) => /\b(PANIC|FATAL):/.test(line)) ?? lines.findLast((line) => /\bERROR:/.test(line));
  return worst?.replace(/^.*?\b(PANIC|FATAL|ERROR):\s*/, '$1: ');
}
