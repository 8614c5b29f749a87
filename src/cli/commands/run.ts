import type { Command } from 'commander';
import type { Scalar } from '../../pipeline/types.ts';
import { EXIT } from '../exit-codes.ts';
import type { LocalRunFlags } from '../local-settings.ts';
import type { WorkspaceFlags } from '../local-workspace.ts';
import { collectList, collectWith } from '../options.ts';

interface RunOptions extends LocalRunFlags, WorkspaceFlags {
  actions: string[];
  with: Record<string, Scalar>;
}

/**
 * `pistages run FILE`: runs a job on the local Docker engine exactly as a server worker would,
 * streaming output live, then a summary. Exit 0 only when the job succeeded, 1 when it failed,
 * 2 on a usage error or an invalid job, 130 when interrupted (Ctrl-C, SIGTERM, SIGHUP, or the
 * reader of stdout going away); an interrupted run removes its containers and volumes first.
 */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a job on the local Docker engine with live logs')
    .argument('<file>', 'the job file')
    .option('--actions <dir>', 'a folder of action files (repeatable)', collectList, [])
    .option('--with <key=value>', 'a job parameter (repeatable)', collectWith, {})
    .option('--workspace <dir>', "copy this folder into each group's /workspace (default: the job file's git work tree, else its folder)")
    .option('--no-workspace', 'start every group with an empty /workspace')
    .option('--bind', 'mount the folder read-write instead of copying it: every group shares it')
    .option('--network <mode>', 'container network: bridge (one of the run\'s own), internal (the same, no outbound), none, or a shared network\'s name (env PISTAGES_NETWORK)')
    .option('--pull <policy>', 'image pull policy: if-not-present, always, never (env PISTAGES_PULL_POLICY)')
    .option('--retry <n>', 'retries of a failed group when the job sets no retry (default 0)')
    .option('--log-cap <size>', 'log kept per step, e.g. 10m (env PISTAGES_LOG_CAP)')
    .option('--group-concurrency <n>', 'most groups running at once (env PISTAGES_GROUP_CONCURRENCY)')
    .exitOverride((err) => {
      // commander's own exits: help and version are fine, anything else is a usage error
      process.exit(err.exitCode === 0 ? EXIT.success : EXIT.usage);
    })
    .action(async (file: string, options: RunOptions) => {
      // the runner (dockerode and the executor) loads only when a run starts, not for help or usage errors
      const { runLocal } = await import('../local-run.ts');
      process.exitCode = await runLocal(file, options);
    });
}
