import { Command } from 'commander';
import { packageVersion } from '../package-root.ts';

type Register = (program: Command) => void;

/**
 * Each command's module is loaded only when needed: the server and client modules pull in
 * MongoDB, Express and the GitHub layer, tens of MB that `pistages run` on a laptop never uses.
 * A local command named on the command line loads just its own module; anything else (help, a
 * client or server command, a typo) loads them all so commander can list and suggest every one.
 */
const LOCAL: Record<string, () => Promise<Register>> = {
  validate: async () => (await import('./commands/validate.ts')).registerValidate,
  plan: async () => (await import('./commands/plan.ts')).registerPlan,
  run: async () => (await import('./commands/run.ts')).registerRun,
  prune: async () => (await import('./commands/prune.ts')).registerPrune,
};

const OTHERS: (() => Promise<Register>)[] = [
  async () => (await import('./commands/serve.ts')).registerServe,
  async () => (await import('./commands/worker.ts')).registerWorker,
  async () => (await import('./commands/client.ts')).registerClientCommands,
];

const version = packageVersion();

/** Usage errors (unknown command or option, missing or bad argument) exit 2 in every command; help and --version 0. */
const program = new Command()
  .name('pistages')
  .description('Self-hosted CI: YAML jobs with reusable actions, run in Docker')
  .version(version, '-V, --version', 'print the version')
  .showHelpAfterError('(run pistages help <command> for its options)')
  .enablePositionalOptions()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

const named = LOCAL[process.argv[2] ?? ''];
const loaders = named ? [named] : [...Object.values(LOCAL), ...OTHERS];
for (const register of await Promise.all(loaders.map((load) => load()))) register(program);

await program.parseAsync(process.argv);
