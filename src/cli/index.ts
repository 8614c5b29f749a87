import { Command } from 'commander';
import { registerClientCommands } from './commands/client.ts';
import { registerPlan } from './commands/plan.ts';
import { registerPrune } from './commands/prune.ts';
import { registerRun } from './commands/run.ts';
import { registerServe } from './commands/serve.ts';
import { registerValidate } from './commands/validate.ts';
import { registerWorker } from './commands/worker.ts';

const program = new Command()
  .name('pistages')
  .description('Self-hosted CI: YAML jobs with reusable actions, run in Docker')
  .showHelpAfterError('(run pistages help <command> for its options)')
  .enablePositionalOptions();

registerValidate(program);
registerPlan(program);
registerRun(program);
registerPrune(program);
registerServe(program);
registerWorker(program);
registerClientCommands(program);

await program.parseAsync(process.argv);
