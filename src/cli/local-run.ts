import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DockerExecutor } from '../executor/docker/docker-executor.ts';
import { localOwnerLabels } from '../executor/docker/labels.ts';
import { containerDefaults } from '../executor/docker/options.ts';
import { reapLocalLeftovers } from '../executor/docker/reaper.ts';
import { MIN_SECRET_LENGTH } from '../executor/log/mask.ts';
import { runJob } from '../executor/run-job.ts';
import type { Plan, Scalar } from '../pipeline/types.ts';
import { EXIT } from './exit-codes.ts';
import { trapInterrupts } from './interrupts.ts';
import { loadPlan } from './load-plan.ts';
import { localContext } from './local-context.ts';
import { localRunSettings, type LocalRunFlags } from './local-settings.ts';
import { localWorkspace, WorkspaceUsageError, type LocalWorkspace, type WorkspaceFlags } from './local-workspace.ts';
import { streamOutput } from './output.ts';
import { isProcessAlive } from './processes.ts';
import { pullMissingImages } from './pull-images.ts';
import { RunPrinter } from './run-printer.ts';

export { EXIT } from './exit-codes.ts';

export interface LocalRunOptions extends LocalRunFlags, WorkspaceFlags {
  actions: string[];
  with: Record<string, Scalar>;
}

const say = (text: string): void => {
  process.stderr.write(text);
};

/**
 * `pistages run`: checks everything that can be checked before touching the engine (settings, job,
 * secrets), removes what dead local runs left, seeds the workspaces, runs the job, prints the
 * summary; resolves with the exit code. Everything it created is gone when it resolves.
 */
export async function runLocal(file: string, options: LocalRunOptions): Promise<number> {
  // a closed terminal or stderr pipe leaves nowhere to report to; the run still cleans up
  process.stderr.on('error', () => undefined);
  const settings = localRunSettings(options, process.env);
  if ('errors' in settings) {
    for (const error of settings.errors) say(`pistages run: ${error}\n`);
    return EXIT.usage;
  }
  const docker = new Docker();
  // the engine answers while the job is read and checked; an invalid job stops the question
  const pinging = new AbortController();
  // dockerode takes the options (its types do not say so)
  const pingWith = docker.ping.bind(docker) as unknown as (options: { abortSignal: AbortSignal }) => Promise<unknown>;
  const ping = pingWith({ abortSignal: pinging.signal }).then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  const loaded = await loadPlan(file, options.actions, options.with, settings);
  const secrets = loaded && readSecrets(loaded.plan);
  if (!loaded || secrets === undefined) {
    pinging.abort();
    return EXIT.usage;
  }
  const { plan } = loaded;
  const unreachable = await ping;
  if (unreachable !== undefined) {
    say(`pistages run: cannot reach the Docker engine (${unreachable.message}); start dockerd or set DOCKER_HOST\n`);
    return EXIT.usage;
  }

  const cancel = new AbortController();
  const interrupts = trapInterrupts(cancel, say);
  const out = streamOutput(process.stdout, (err) => interrupts.interrupt(`stdout closed: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
  const host = hostname();
  const labels = localOwnerLabels(host, process.pid);
  const runId = `local-${randomBytes(6).toString('hex')}`;
  let workspace: LocalWorkspace | undefined;
  // alongside the run (it touches only what dead processes left), finished before this resolves
  const reaped = reapLocalLeftovers(docker, host, isProcessAlive).then(
    ({ containers, volumes, networks }) => {
      if (containers + volumes + networks > 0) say(`pistages run: removed ${containers} container(s), ${volumes} volume(s) and ${networks} network(s) left by earlier runs whose process is gone\n`);
    },
    // leftovers cost disk space, not correctness: the run goes on
    (err: unknown) => say(`pistages run: could not remove what earlier runs left (${(err as Error).message}); try \`pistages prune\`\n`),
  );
  try {
    try {
      workspace = await localWorkspace(docker, file, options, { runId, job: plan.job, labels, log: (m) => say(`pistages run: ${m}\n`) });
    } catch (err) {
      say(`pistages run: ${err instanceof WorkspaceUsageError ? '' : 'cannot prepare the workspace: '}${(err as Error).message}\n`);
      return err instanceof WorkspaceUsageError ? EXIT.usage : EXIT.failed;
    }
    if (cancel.signal.aborted) return EXIT.interrupted;
    // git answers while the images are checked
    const context = localContext(workspace.checkout);
    const printer = new RunPrinter(plan, (text) => out.write(text), process.stdout.isTTY === true);
    await out.write(`${workspace.note}\n`);
    // the engine's own notes (an image being pulled, a container that would not go away) go to stderr
    const executor = new DockerExecutor({ docker, network: settings.network, pullPolicy: settings.pullPolicy, defaults: containerDefaults(settings), labels, workspaceSource: workspace.source, log: (m) => say(`pistages run: ${m}\n`) });
    await pullMissingImages(docker, plan, { policy: settings.pullPolicy, say: (line) => say(`pistages run: ${line}\n`), signal: cancel.signal });
    const started = Date.now();
    const result = await runJob(plan, {
      runId,
      executor,
      onEvent: printer.onEvent,
      signal: cancel.signal,
      defaultRetry: settings.defaultRetry,
      groupConcurrency: settings.groupConcurrency,
      secrets,
      logCapBytes: settings.logCapBytes,
      defaultTimeoutMs: settings.defaultTimeoutMs,
      context: await context,
    });
    await out.write(printer.summary(result.status, Date.now() - started));
    if (cancel.signal.aborted) return EXIT.interrupted;
    return result.status === 'success' ? EXIT.success : EXIT.failed;
  } finally {
    await reaped;
    await workspace?.source?.dispose().catch((err: unknown) => say(`pistages run: ${(err as Error).message}; \`pistages prune\` removes it later\n`));
    interrupts.release();
  }
}

/** The plan's secrets from the environment, or undefined (after saying why) when one is missing or too short to mask. */
function readSecrets(plan: Plan): Record<string, string> | undefined {
  const missing = plan.secrets.filter((name) => process.env[name] === undefined);
  if (missing.length > 0) {
    const many = missing.length > 1;
    say(`pistages run: the job needs secret${many ? 's' : ''} ${missing.join(', ')}; for a local run, export ${many ? 'them' : 'it'} as environment variable${many ? 's' : ''} of the same name\n`);
    return undefined;
  }
  const secrets = Object.fromEntries(plan.secrets.map((name) => [name, process.env[name] ?? '']));
  const short = plan.secrets.filter((name) => (secrets[name] ?? '').length < MIN_SECRET_LENGTH);
  if (short.length > 0) {
    say(`pistages run: secret ${short.join(', ')} must be at least ${MIN_SECRET_LENGTH} characters: shorter values cannot be masked in logs\n`);
    return undefined;
  }
  return secrets;
}
