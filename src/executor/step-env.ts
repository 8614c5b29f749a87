import { paramEnv } from '../pipeline/param-env.ts';
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
 * the step's rendered env, then PISTAGES_PARAM_* (the job's parameters, then those of the step's
 * action), then the secrets the plan names, then the trigger context (with the run's credentials,
 * such as PISTAGES_GIT_TOKEN), then the per-step PISTAGES_* variables. Job files cannot name
 * PISTAGES_* variables in `env`; the order still makes parameters, trigger data and PISTAGES_* win
 * so a plan cannot fake them (PISTAGES_SHA etc. are what reporting trusts). The parameter values are
 * used as they are, never rendered as templates. PISTAGES_OUTPUT is set by the executor.
 */
export function stepEnv(
  plan: Plan,
  step: PlannedStep,
  renderedEnv: Record<string, string>,
  secrets: Record<string, string>,
  context: Record<string, string>,
  who: StepIdentity,
): Record<string, string> {
  const env: Record<string, string> = { ...renderedEnv, ...paramEnv(plan.params, step.params) };
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

/**
 * The environment a step's container is created with: `env` without any variable that holds a
 * secret. What a container is created with shows in `docker inspect` and in /proc/1/environ, which
 * every process of the container can read; secrets go only to the exec of each command.
 * Left out: the plan's secrets by name, and every variable whose value contains a value the run
 * masks (`masked`: the secrets' values and the run's credentials, e.g. PISTAGES_GIT_TOKEN).
 */
export function containerEnv(env: Record<string, string>, secretNames: readonly string[], masked: readonly string[]): Record<string, string> {
  const secret = new Set(secretNames);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (secret.has(name) || masked.some((m) => value.includes(m))) continue;
    out[name] = value;
  }
  return out;
}
