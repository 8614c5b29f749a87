import type { Command } from 'commander';
import type { Plan, Scalar } from '../../pipeline/types.ts';
import { loadPlan } from '../load-plan.ts';
import { collectList, collectWith } from '../options.ts';
import { drawPlan } from '../draw-plan.ts';

/** The stable JSON shape of `pistages plan --json` (JOB-FORMAT.md, command-line contract). */
export function planToJson(plan: Plan) {
  return {
    job: plan.job,
    groups: plan.groups.map((group) => ({
      name: group.name,
      steps: group.steps.map((step) => ({
        name: step.name,
        image: step.image,
        container: step.container,
        commands: step.commands,
        env: step.env,
      })),
    })),
  };
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('show which containers and commands a job resolves to, without running it')
    .argument('<file>', 'the job file')
    .option('--actions <dir>', 'a folder of action files (repeatable)', collectList, [])
    .option('--with <key=value>', 'a job parameter (repeatable)', collectWith, {})
    .option('--json', 'print the plan as JSON (stable format for scripts)')
    .action(async (file: string, options: { actions: string[]; with: Record<string, Scalar>; json?: boolean }) => {
      const loaded = await loadPlan(file, options.actions, options.with);
      if (!loaded) return;
      process.stdout.write(options.json ? `${JSON.stringify(planToJson(loaded.plan), null, 2)}\n` : drawPlan(loaded.plan, process.stdout.isTTY === true));
    });
}
