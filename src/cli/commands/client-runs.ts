import { basename } from 'node:path';
import type { Command } from 'commander';
import type { ApiClient } from '../../client/api-client.ts';
import type { LogFilters, RunListFilter } from '../../client/api-types.ts';
import { renderTable, shortTime } from '../../client/table.ts';
import type { Scalar } from '../../pipeline/types.ts';
import { EXIT } from '../exit-codes.ts';
import { followRun } from '../follow-run.ts';
import { collectList, collectWith } from '../options.ts';
import { actionFilesFor } from '../run-action-files.ts';
import { action, clientFor, printJson, UsageError, wholeNumber, type ClientIo } from './client-io.ts';

interface LogFlags {
  group?: string;
  step?: number;
  attempt?: number;
}

/** `submit`, `runs`, `logs`, `cancel`, `rerun`: runs on a Pistages server. */
export function registerRunCommands(program: Command, io: ClientIo): void {
  program
    .command('submit')
    .description('send a job file to the server to run; prints the run id')
    .argument('<file>', 'job file (.yaml)')
    .option('--actions <dir>', "a folder of action files sent with the run (repeatable; the repository's .pistages/actions/ is always used)", collectList, [])
    .option('--with <key=value>', 'job parameter (repeatable)', collectWith, {})
    .option('--follow', 'show the run as `pistages run` does until it ends; exit 0 only if it succeeded')
    .option('--json', 'print JSON (with --follow: one event per line)')
    .action(
      action(io, async (file: string, opts: { actions: string[]; with: Record<string, Scalar>; follow?: boolean; json?: boolean }) => {
        const client = clientFor(io);
        const yaml = await io.readFile(file);
        const actions = await actionFilesFor(file, yaml, opts.actions);
        const { id } = await client.submitRun(yaml, { params: opts.with, file: basename(file), actions });
        if (opts.json && !opts.follow) printJson(io, { id });
        else io.stderr(`submitted run ${id}\n`);
        if (!opts.follow) {
          if (!opts.json) io.stdout(`${id}\n`);
          return 0;
        }
        return follow(io, client, id, {}, opts.json === true);
      }),
    );

  program
    .command('runs')
    .description('list runs, newest first')
    .option('--repo <owner/name>', 'only runs of this repository')
    .option('--job <name>', 'only runs of this job')
    .option('--status <status>', 'queued, running, success, failure, error, timed_out, cancelled')
    .option('--branch <branch>', 'only runs of this branch')
    .option('--since <date>', 'only runs created at or after this ISO date')
    .option('--limit <n>', 'how many (1-100)', wholeNumber(1), 20)
    .option('--json', 'print JSON')
    .action(
      action(io, async (opts: RunListFilter & { json?: boolean }) => {
        const { json, ...filter } = opts;
        const page = await clientFor(io).listRuns(filter);
        if (json) {
          printJson(io, page);
          return;
        }
        const rows = page.runs.map((r) => [r.id, r.status, r.job, r.source, r.repo ?? '-', r.branch ?? '-', shortTime(r.createdAt)]);
        io.stdout(renderTable(['ID', 'STATUS', 'JOB', 'SOURCE', 'REPO', 'BRANCH', 'CREATED'], rows));
        if (page.next !== null) io.stderr('(more runs: raise --limit or narrow the filters)\n');
      }),
    );

  program
    .command('logs')
    .description('print the logs of a run as [group/step#attempt] line')
    .argument('<run>', 'run id')
    .option('--follow', 'show the run as `pistages run` does until it ends; exit 0 only if it succeeded')
    .option('--json', 'with --follow: one JSON event per line')
    .option('--group <name>', 'only this group')
    .option('--step <index>', 'only this step (index in its group, from 0)', wholeNumber(0))
    .option('--attempt <n>', 'only this attempt (from 1)', wholeNumber(1))
    .action(
      action(io, async (id: string, opts: LogFlags & { follow?: boolean; json?: boolean }) => {
        const client = clientFor(io);
        const filters = logFilters(opts);
        if (opts.json && !opts.follow) throw new UsageError('--json needs --follow; without it the log is printed as text');
        if (filters.group !== undefined) await assertGroup(client, id, filters.group);
        if (opts.follow) return follow(io, client, id, filters, opts.json === true);
        io.stdout(await client.logText(id, filters));
        return 0;
      }),
    );

  program
    .command('cancel')
    .description('ask the server to cancel a queued or running run')
    .argument('<run>', 'run id')
    .option('--json', 'print JSON')
    .action(
      action(io, async (id: string, opts: { json?: boolean }) => {
        const answer = await clientFor(io).cancelRun(id);
        if (opts.json) printJson(io, answer);
        else io.stdout(`cancel requested for run ${id}\n`);
      }),
    );

  program
    .command('rerun')
    .description('run a finished run again as a new run; prints the new id')
    .argument('<run>', 'run id')
    .option('--failed', 'only the groups that did not succeed')
    .option('--follow', 'show the new run as `pistages run` does until it ends; exit 0 only if it succeeded')
    .option('--json', 'print JSON (with --follow: one event per line)')
    .action(
      action(io, async (id: string, opts: { failed?: boolean; follow?: boolean; json?: boolean }) => {
        const client = clientFor(io);
        const answer = await client.rerun(id, { failed: opts.failed === true });
        if (opts.follow) {
          io.stderr(`submitted run ${answer.id}\n`);
          return follow(io, client, answer.id, {}, opts.json === true);
        }
        if (opts.json) printJson(io, answer);
        else io.stdout(`${answer.id}\n`);
        return 0;
      }),
    );
}

function logFilters(flags: LogFlags): LogFilters {
  const filters: LogFilters = {};
  if (flags.group !== undefined) filters.group = flags.group;
  if (flags.step !== undefined) filters.step = flags.step;
  if (flags.attempt !== undefined) filters.attempt = flags.attempt;
  return filters;
}

/** `--group` naming no group of the run is a usage error that lists the run's groups */
async function assertGroup(client: ApiClient, id: string, group: string): Promise<void> {
  const groups = (await client.getRun(id)).groups.map((g) => g.name);
  if (!groups.includes(group)) throw new UsageError(`run ${id} has no group '${group}'; its groups: ${groups.join(', ')}`);
}

/** follows a run as `pistages run` shows a local one; Ctrl-C stops following, not the run */
async function follow(io: ClientIo, client: ApiClient, id: string, filters: LogFilters, json: boolean): Promise<number> {
  const stop = new AbortController();
  const release = io.onInterrupt?.(() => stop.abort());
  try {
    const code = await followRun(client, id, (text) => io.stdout(text), { json, colour: io.stdoutIsTty === true, filters, signal: stop.signal });
    if (code === EXIT.interrupted) io.stderr(`stopped following run ${id}; it goes on (pistages logs --follow ${id}, pistages cancel ${id})\n`);
    return code;
  } finally {
    release?.();
  }
}
