import type { Command } from 'commander';
import type { TokenRole } from '../../client/api-types.ts';
import { renderTable, shortTime } from '../../client/table.ts';
import { collectList } from '../options.ts';
import { action, clientFor, printJson, UsageError, type ClientIo } from './client-io.ts';

const ROLES: readonly TokenRole[] = ['read', 'submit', 'admin'];

/** `tokens create|list|revoke` (admin tokens only) and `whoami` (any token). */
export function registerTokenCommands(program: Command, io: ClientIo): void {
  const tokens = program.command('tokens').description('manage API tokens (needs an admin token)');

  tokens
    .command('create')
    .description('create a token; it is printed once, on stdout (the server keeps only a hash)')
    .argument('<name>', 'token name (letters, digits, . _ -)')
    .requiredOption('--role <role>', 'read (runs, logs, actions, deliveries), submit (also submit, cancel, re-run) or admin (everything)')
    .option('--repo <owner/name>', "runs it submits for this repository receive the repository's secrets (repeatable)", collectList, [])
    .option('--json', 'print JSON (with the token)')
    .action(
      action(io, async (name: string, opts: { role: string; repo: string[]; json?: boolean }) => {
        if (!(ROLES as readonly string[]).includes(opts.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got '${opts.role}'`);
        const created = await clientFor(io).createToken(name, opts.role as TokenRole, opts.repo);
        if (opts.json) {
          printJson(io, created);
          return;
        }
        const repos = created.repos.length === 0 ? '' : ` for ${created.repos.join(', ')}`;
        io.stderr(`created token '${created.name}' (role ${created.role}${repos}); store it now, it is not shown again:\n`);
        io.stdout(`${created.token}\n`);
      }),
    );

  tokens
    .command('list')
    .description('list tokens (names, roles, repositories; never the tokens)')
    .option('--json', 'print JSON')
    .action(
      action(io, async (opts: { json?: boolean }) => {
        const { tokens: list } = await clientFor(io).listTokens();
        if (opts.json) printJson(io, { tokens: list });
        else io.stdout(renderTable(['NAME', 'ROLE', 'REPOS', 'CREATED', 'BY', 'LAST USED'], list.map((t) => [t.name, t.role, t.repos.join(',') || '-', shortTime(t.createdAt), t.createdBy, shortTime(t.lastUsedAt)])));
      }),
    );

  tokens
    .command('revoke')
    .description('revoke a token: it stops working at once')
    .argument('<name>', 'token name')
    .action(
      action(io, async (name: string) => {
        await clientFor(io).revokeToken(name);
        io.stdout(`revoked token '${name}'\n`);
      }),
    );

  program
    .command('whoami')
    .description('what the token in PISTAGES_TOKEN may do')
    .option('--json', 'print JSON')
    .action(
      action(io, async (opts: { json?: boolean }) => {
        const me = await clientFor(io).whoami();
        if (opts.json) {
          printJson(io, me);
          return;
        }
        const repos = me.allRepos ? 'every repository' : me.repos.length === 0 ? 'none (global secrets only)' : me.repos.join(', ');
        io.stdout(`token: ${me.name}\nrole: ${me.role} (may ${me.may})\nrepository secrets: ${repos}\n`);
      }),
    );
}
