import type { Command } from 'commander';
import { ApiClientError } from '../../client/api-client.ts';
import { renderTable, shortTime } from '../../client/table.ts';
import { action, clientFor, printJson, processIo, UsageError, type ClientIo } from './client-io.ts';
import { registerRunCommands } from './client-runs.ts';
import { registerTokenCommands } from './tokens.ts';

/**
 * The commands that talk to a Pistages server (PISTAGES_URL, PISTAGES_TOKEN): `actions`, `secrets`,
 * `submit`, `runs`, `logs`, `cancel`, `rerun`, `tokens`, `whoami`. Human tables by default, `--json` for scripts.
 * `io` is for tests; the CLI passes nothing and gets the real process.
 */
export function registerClientCommands(program: Command, io: ClientIo = processIo()): void {
  registerActionCommands(program, io);
  registerRunCommands(program, io);
  registerSecretCommands(program, io);
  registerDeliveryCommand(program, io);
  registerTokenCommands(program, io);
}

function registerDeliveryCommand(program: Command, io: ClientIo): void {
  program
    .command('deliveries')
    .description('GitHub webhook deliveries, newest first, and what each did')
    .option('--repo <owner/name>', 'only this repository')
    .option('--event <name>', 'only this event (push, pull_request, check_run, ...)')
    .option('--outcome <outcome>', 'received, accepted, ignored or failed')
    .option('--limit <n>', 'at most this many', '20')
    .option('--json', 'print JSON')
    .action(
      action(io, async (opts: { repo?: string; event?: string; outcome?: string; limit: string; json?: boolean }) => {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, got '${opts.limit}'`);
        const { deliveries } = await clientFor(io).listDeliveries({ ...opts, limit });
        if (opts.json) {
          printJson(io, { deliveries });
          return;
        }
        const rows = deliveries.map((d) => [
          shortTime(d.receivedAt),
          d.action === undefined ? d.event : `${d.event}.${d.action}`,
          d.repo ?? '',
          d.sha?.slice(0, 7) ?? '',
          d.outcome,
          String(d.runIds.length),
          d.reason ?? '',
        ]);
        io.stdout(renderTable(['RECEIVED', 'EVENT', 'REPO', 'SHA', 'OUTCOME', 'RUNS', 'WHY'], rows));
      }),
    );
}

function registerActionCommands(program: Command, io: ClientIo): void {
  const actions = program.command('actions').description('manage the actions registered on the server');

  actions
    .command('register')
    .description('register action files under their `name`')
    .argument('<files...>', 'action files (.yaml)')
    .option('--replace', 'replace actions that are already registered')
    .option('--json', 'print JSON')
    .action(
      action(io, async (files: string[], opts: { replace?: boolean; json?: boolean }) => {
        const client = clientFor(io);
        const registered = [];
        for (const file of files) {
          const yaml = await io.readFile(file);
          const answer = await client.registerAction(yaml, { replace: opts.replace === true, file: file.split('/').pop() ?? file });
          registered.push(answer);
          if (!opts.json) io.stdout(`registered '${answer.name}' (version ${answer.version})\n`);
        }
        if (opts.json) printJson(io, { actions: registered });
      }),
    );

  actions
    .command('list')
    .description('list registered actions')
    .option('--json', 'print JSON')
    .action(
      action(io, async (opts: { json?: boolean }) => {
        const { actions: list } = await clientFor(io).listActions();
        if (opts.json) printJson(io, { actions: list });
        else io.stdout(renderTable(['NAME', 'VERSION', 'UPDATED', 'DESCRIPTION'], list.map((a) => [a.name, String(a.version), shortTime(a.updatedAt), a.description ?? ''])));
      }),
    );

  actions
    .command('show')
    .description("print a registered action's file")
    .argument('<name>', 'action name (quote names with spaces)')
    .option('--json', 'print JSON (with version and source)')
    .action(
      action(io, async (name: string, opts: { json?: boolean }) => {
        const detail = await clientFor(io).getAction(name);
        if (opts.json) printJson(io, detail);
        else io.stdout(detail.yaml.endsWith('\n') ? detail.yaml : `${detail.yaml}\n`);
      }),
    );

  actions
    .command('rm')
    .description('unregister an action')
    .argument('<name>', 'action name')
    .action(
      action(io, async (name: string) => {
        await clientFor(io).removeAction(name);
        io.stdout(`removed '${name}'\n`);
      }),
    );
}

function registerSecretCommands(program: Command, io: ClientIo): void {
  const secrets = program.command('secrets').description('manage secrets (values are write-only)');

  secrets
    .command('set')
    .description('store a secret; the value is read from stdin (or --value-env), never from the command line')
    .argument('<name>', 'secret name (becomes an environment variable of the steps)')
    .option('--repo <owner/name>', 'only for runs of this repository (default: global)')
    .option('--value-env <var>', 'read the value from this environment variable instead of stdin')
    .action(
      action(io, async (name: string, opts: { repo?: string; valueEnv?: string }) => {
        const client = clientFor(io);
        const value = await secretValue(io, name, opts.valueEnv);
        await client.putSecret(name, value, opts.repo === undefined ? {} : { repo: opts.repo });
        io.stdout(`stored secret ${name} (${opts.repo === undefined ? 'global' : `repo:${opts.repo}`})\n`);
      }),
    );

  secrets
    .command('list')
    .description('list secret names and scopes')
    .option('--repo <owner/name>', 'only secrets of this repository')
    .option('--json', 'print JSON')
    .action(
      action(io, async (opts: { repo?: string; json?: boolean }) => {
        const { secrets: list } = await clientFor(io).listSecrets(opts.repo === undefined ? {} : { repo: opts.repo });
        if (opts.json) printJson(io, { secrets: list });
        else io.stdout(renderTable(['NAME', 'SCOPE', 'UPDATED'], list.map((s) => [s.name, s.scope, shortTime(s.updatedAt)])));
      }),
    );

  secrets
    .command('rm')
    .description('delete a secret')
    .argument('<name>', 'secret name')
    .option('--repo <owner/name>', 'the repository scope (default: global)')
    .action(
      action(io, async (name: string, opts: { repo?: string }) => {
        await clientFor(io).removeSecret(name, opts.repo === undefined ? {} : { repo: opts.repo });
        io.stdout(`removed secret ${name}\n`);
      }),
    );
}

/** The value from `--value-env VAR`, else stdin without its final newline. Empty is refused. */
async function secretValue(io: ClientIo, name: string, valueEnv: string | undefined): Promise<string> {
  let value: string;
  if (valueEnv !== undefined) {
    const fromEnv = io.env[valueEnv];
    if (fromEnv === undefined) throw new ApiClientError(`environment variable ${valueEnv} is not set; export it or pipe the value on stdin`);
    value = fromEnv;
  } else {
    if (io.stdinIsTty) io.stderr(`value of ${name} (then Enter and Ctrl-D):\n`);
    value = (await io.readStdin()).replace(/\r?\n$/, '');
  }
  if (value === '') throw new ApiClientError(`the value of ${name} is empty; pipe it on stdin (printf %s "$VALUE" | pistages secrets set ${name}) or use --value-env`);
  return value;
}
