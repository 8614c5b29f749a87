import { Command } from 'commander';

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

const program = new Command()
  .name('pistages')
  .description('Self-hosted CI: YAML jobs with reusable actions, run in Docker')
  .showHelpAfterError('(run pistages help <command> for its options)')
  .enablePositionalOptions();

const named = LOCAL[process.argv[2] ?? ''];
const loaders = named ? [named] : [...Object.values(LOCAL), ...OTHERS];
for (const register of await Promise.all(loaders.map((load) => load()))) register(program);

await program.parseAsync(process.argv);
