import type { Command } from 'commander';
import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { DockerExecutor } from '../../executor/docker/docker-executor.ts';
import { MIN_SECRET_LENGTH } from '../../executor/log/mask.ts';
import { runJob } from '../../executor/run-job.ts';
import type { Scalar } from '../../pipeline/types.ts';
import { loadPlan } from '../load-plan.ts';
import { localContext } from '../local-context.ts';
import { collectList, collectWith } from '../options.ts';
import { RunPrinter } from '../run-printer.ts';
import { localRunSettings, type LocalRunFlags } from '../local-settings.ts';

interface RunOptions extends LocalRunFlags {
  actions: string[];
  with: Record<string, Scalar>;
}

/**
 * `pistages run FILE`: runs a job on the local Docker engine exactly as a server worker would,
 * streaming output live, then a summary. Exit 0 only when the job succeeded. Ctrl-C cancels
 * (containers and volumes are removed); a second Ctrl-C exits at once.
 */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a job on the local Docker engine with live logs')
    .argument('<file>', 'the job file')
    .option('--actions <dir>', 'a folder of action files (repeatable)', collectList, [])
    .option('--with <key=value>', 'a job parameter (repeatable)', collectWith, {})
    .option('--network <mode>', 'container network: bridge, none, or a network name (env PISTAGES_NETWORK)')
    .option('--pull <policy>', 'image pull policy: if-not-present, always, never (env PISTAGES_PULL_POLICY)')
    .option('--retry <n>', 'retries of a failed group when the job does not say (env PISTAGES_DEFAULT_RETRY)')
    .option('--log-cap <size>', 'log kept per step, e.g. 10m (env PISTAGES_LOG_CAP)')
    .option('--group-concurrency <n>', 'most groups running at once (env PISTAGES_GROUP_CONCURRENCY)')
    .action(async (file: string, options: RunOptions) => {
      process.exitCode = await runLocal(file, options);
    });
}

async function runLocal(file: string, options: RunOptions): Promise<number> {
  const settings = localRunSettings(options, process.env);
  if ('errors' in settings) {
    for (const error of settings.errors) process.stderr.write(`pistages run: ${error}\n`);
    return 2;
  }
  const loaded = await loadPlan(file, options.actions, options.with);
  if (!loaded) return 1;
  const { plan } = loaded;

  const secrets: Record<string, string> = {};
  const missing = plan.secrets.filter((name) => process.env[name] === undefined);
  if (missing.length > 0) {
    process.stderr.write(`pistages run: the job needs secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; for a local run, export ${missing.length > 1 ? 'them' : 'it'} as environment variable${missing.length > 1 ? 's' : ''} of the same name\n`);
    return 2;
  }
  for (const name of plan.secrets) secrets[name] = process.env[name] ?? '';
  const short = plan.secrets.filter((name) => (secrets[name] ?? '').length < MIN_SECRET_LENGTH);
  if (short.length > 0) {
    process.stderr.write(`pistages run: secret ${short.join(', ')} must be at least ${MIN_SECRET_LENGTH} characters: shorter values cannot be masked in logs\n`);
    return 2;
  }

  const docker = new Docker();
  try {
    await docker.ping();
  } catch (error) {
    process.stderr.write(`pistages run: cannot reach the Docker engine (${(error as Error).message}); start dockerd or set DOCKER_HOST\n`);
    return 2;
  }

  const executor = new DockerExecutor({ docker, network: settings.network, pullPolicy: settings.pullPolicy });
  const printer = new RunPrinter(plan, (text) => process.stdout.write(text), process.stdout.isTTY === true);
  const cancel = new AbortController();
  const onSignal = () => {
    if (cancel.signal.aborted) process.exit(130);
    process.stderr.write('\ncancelling: stopping containers (Ctrl-C again to quit at once)\n');
    cancel.abort(new Error('cancelled from the terminal'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = Date.now();
  try {
    const result = await runJob(plan, {
      runId: `local-${randomBytes(6).toString('hex')}`,
      executor,
      onEvent: printer.onEvent,
      signal: cancel.signal,
      defaultRetry: settings.defaultRetry,
      groupConcurrency: settings.groupConcurrency,
      secrets,
      logCapBytes: settings.logCapBytes,
      defaultTimeoutMs: settings.defaultTimeoutMs,
      context: await localContext(file),
    });
    process.stdout.write(printer.summary(result.status, Date.now() - started));
    return result.status === 'success' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
