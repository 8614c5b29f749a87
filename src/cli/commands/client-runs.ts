import { basename } from 'node:path';
import type { Command } from 'commander';
import type { ApiClient } from '../../client/api-client.ts';
import type { LogFilters, LogLine, RunListFilter } from '../../client/api-types.ts';
import { renderTable, shortTime } from '../../client/table.ts';
import type { Scalar } from '../../pipeline/types.ts';
import { collectWith } from '../options.ts';
import { action, clientFor, printJson, wholeNumber, type ClientIo } from './client-io.ts';

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
    .option('--with <key=value>', 'job parameter (repeatable)', collectWith, {})
    .option('--follow', 'stream the logs until the run ends; exit 0 only if it succeeded')
    .option('--json', 'print JSON')
    .action(
      action(io, async (file: string, opts: { with: Record<string, Scalar>; follow?: boolean; json?: boolean }) => {
        const client = clientFor(io);
        const yaml = await io.readFile(file);
        const { id } = await client.submitRun(yaml, { params: opts.with, file: basename(file) });
        if (opts.json && !opts.follow) printJson(io, { id });
        else io.stderr(`submitted run ${id}\n`);
        if (!opts.follow) {
          if (!opts.json) io.stdout(`${id}\n`);
          return 0;
        }
        return follow(io, client, id, {});
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
    .option('--follow', 'keep streaming until the run ends; exit 0 only if it succeeded')
    .option('--group <name>', 'only this group')
    .option('--step <index>', 'only this step (index in its group, from 0)', wholeNumber(0))
    .option('--attempt <n>', 'only this attempt (from 1)', wholeNumber(1))
    .action(
      action(io, async (id: string, opts: LogFlags & { follow?: boolean }) => {
        const client = clientFor(io);
        const filters = logFilters(opts);
        if (opts.follow) return follow(io, client, id, filters);
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
    .option('--json', 'print JSON')
    .action(
      action(io, async (id: string, opts: { failed?: boolean; json?: boolean }) => {
        const answer = await clientFor(io).rerun(id, { failed: opts.failed === true });
        if (opts.json) printJson(io, answer);
        else io.stdout(`${answer.id}\n`);
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

/** streams log lines to stdout, then the outcome to stderr; exit code 0 only for success */
async function follow(io: ClientIo, client: ApiClient, id: string, filters: LogFilters): Promise<number> {
  const end = await client.followLogs(id, filters, (l: LogLine) => io.stdout(`[${l.group}/${l.stepName}#${l.attempt}] ${l.line}\n`));
  io.stderr(`run ${id} finished: ${end.status}${end.message ? ` (${end.message})` : ''}\n`);
  return end.status === 'success' ? 0 : 1;
}
