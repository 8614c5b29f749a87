import { Command } from 'commander';
import { registerPlan } from './commands/plan.ts';
import { registerRun } from './commands/run.ts';
import { registerValidate } from './commands/validate.ts';

const program = new Command()
  .name('pistages')
  .description('Self-hosted CI: YAML jobs with reusable actions, run in Docker')
  .showHelpAfterError('(run pistages help <command> for its options)')
  .enablePositionalOptions();

registerValidate(program);
registerPlan(program);
registerRun(program);

await program.parseAsync(process.argv);
