import type { Plan, PlannedStep } from '../pipeline/types.ts';

/** Who is running: the per-step PISTAGES_* variables come from here. */
export interface StepIdentity {
  runId: string;
  job: string;
  group: string;
  attempt: number;
}

/** Raised before a step runs when its environment cannot be built; the step's status is `error`. */
export class StepSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepSetupError';
  }
}

/**
 * The environment of every command of `step`, lowest precedence first:
 * the step's rendered env, then the secrets the plan names, then the trigger context, then the
 * per-step PISTAGES_* variables. Trigger data and PISTAGES_* win so a job cannot fake them
 * (PISTAGES_SHA etc. are what reporting trusts); PISTAGES_OUTPUT is set by the executor.
 */
export function stepEnv(
  plan: Plan,
  step: PlannedStep,
  renderedEnv: Record<string, string>,
  secrets: Record<string, string>,
  context: Record<string, string>,
  who: StepIdentity,
): Record<string, string> {
  const env: Record<string, string> = { ...renderedEnv };
  const missing = plan.secrets.filter((name) => !Object.hasOwn(secrets, name));
  if (missing.length > 0) {
    throw new StepSetupError(
      `the job uses secret${missing.length > 1 ? 's' : ''} ${missing.map((n) => `'${n}'`).join(', ')} ` +
        'but no value was provided; store the secret on the server (or pass it to `pistages run`) and run again',
    );
  }
  for (const name of plan.secrets) env[name] = secrets[name] as string;
  Object.assign(env, context);
  env.PISTAGES_RUN_ID = who.runId;
  env.PISTAGES_JOB = who.job;
  env.PISTAGES_GROUP = who.group;
  env.PISTAGES_STEP = step.name;
  env.PISTAGES_ATTEMPT = String(who.attempt);
  env.PISTAGES_WORKSPACE = '/workspace';
  return env;
}
