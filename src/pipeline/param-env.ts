/**
 * Parameters as environment variables: every parameter of a job, and of the action a step comes
 * from, reaches the step as `PISTAGES_PARAM_<NAME>`, so a command can use a value it must not trust
 * without pasting it into shell text: `git checkout "$PISTAGES_PARAM_REF"`.
 * NAME is the parameter's name upper-cased, with every character outside [A-Z0-9_] replaced by `_`.
 */
import type { Scalar } from './types.ts';

export const PARAM_ENV_PREFIX = 'PISTAGES_PARAM_';

/** `git-ref` → `PISTAGES_PARAM_GIT_REF`; always a valid environment variable name. */
export function paramEnvName(name: string): string {
  return PARAM_ENV_PREFIX + name.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/**
 * The variables of the given parameter layers, later layers winning where two give the same
 * variable (the job's parameters first, then those of the step's action). Values are the
 * parameters' text as templates render it (`true`, `3`), never rendered again.
 */
export function paramEnv(...layers: (Readonly<Record<string, Scalar>> | undefined)[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const layer of layers) {
    if (layer === undefined) continue;
    for (const name of Object.keys(layer)) env[paramEnvName(name)] = String(layer[name]);
  }
  return env;
}

/** Two parameters of one file whose names give the same variable, e.g. `git-ref` and `git_ref`. */
export interface ParamEnvClash {
  variable: string;
  first: string;
  second: string;
}

/** Every pair of `names` that would set the same variable (each later name against the first). */
export function paramEnvClashes(names: Iterable<string>): ParamEnvClash[] {
  const seen = new Map<string, string>();
  const clashes: ParamEnvClash[] = [];
  for (const name of names) {
    const variable = paramEnvName(name);
    const first = seen.get(variable);
    if (first === undefined) seen.set(variable, name);
    else clashes.push({ variable, first, second: name });
  }
  return clashes;
}

/**
 * Problems with giving `params` (the parameters of one job or action file, `owner` in words such as
 * "job 'Build'") to steps as variables: names that clash, and values a process environment cannot
 * hold. Messages say how to fix them.
 */
export function paramEnvProblems(params: Readonly<Record<string, Scalar>>, owner: string): string[] {
  const problems = paramEnvClashes(Object.keys(params)).map(
    ({ variable, first, second }) =>
      `parameters '${first}' and '${second}' of ${owner} both become the environment variable ${variable}; rename one of them`,
  );
  for (const name of Object.keys(params)) {
    const value = params[name];
    if (typeof value === 'string' && value.includes('\0')) {
      problems.push(`parameter '${name}' of ${owner} holds a NUL character, which an environment variable (${paramEnvName(name)}) cannot hold; remove it from the value`);
    }
  }
  return problems;
}
