/**
 * The words used to name places in a job file and what each place expects, shared by the schema
 * error messages and the semantic checks so one field is always described the same way.
 */
import type { DataPath } from './yaml-locate.ts';

/** `step 2 of group 'main'` for ['uses', 'main', 1]. */
export function stepName(group: string | number, index: string | number): string {
  return `step ${Number(index) + 1} of group '${group}'`;
}

function isStepPath(path: DataPath): boolean {
  return path.length >= 3 && path[0] === 'uses' && typeof path[2] === 'number';
}

function fieldName(rest: DataPath): string {
  const last = rest[rest.length - 1];
  if (typeof last === 'number') return `item ${last + 1} of \`${rest.slice(0, -1).join('.')}\``;
  return `\`${rest.join('.')}\``;
}

/** How a message names the value at `path`: `` `timeout` in step 1 of group 'main' ``, `group 'lint'`, … */
export function label(path: DataPath): string {
  if (path.length === 0) return 'the job';
  if (path[0] === 'uses' && path.length === 2) return `group '${path[1]}'`;
  if (isStepPath(path)) {
    const step = stepName(path[1] as string, path[2] as number);
    return path.length === 3 ? step : `${fieldName(path.slice(3))} in ${step}`;
  }
  return fieldName(path);
}

/** Where a key sits, for "unknown key 'x' <where>". */
export function whereKeys(path: DataPath): string {
  if (path.length === 0) return 'at the top level';
  if (isStepPath(path) && path.length === 3) return `in ${stepName(path[1] as string, path[2] as number)}`;
  return `in ${label(path)}`;
}

/**
 * The kind of value at `path`, a key of EXPECTATIONS: 'timeout', 'with.*', 'run[]', 'group', 'step', …
 * Step fields share kinds with job fields except `name` ('step.name').
 */
export function kindOf(path: DataPath): string {
  const inStep = isStepPath(path);
  const rest = inStep ? path.slice(3) : path;
  if (rest.length === 0) return inStep ? 'step' : 'job';
  const [first, second, third] = rest;
  if (!inStep && first === 'uses') return rest.length === 1 ? 'uses' : rest.length === 2 ? 'group' : 'uses';
  if (first === 'name' && inStep) return 'step.name';
  if (rest.length === 1) return String(first);
  if (first === 'with' || first === 'env') return `${first}.*`;
  if (first === 'run' || first === 'secrets') return `${first}[]`;
  if (first === 'resources') return String(second);
  if (first === 'on' && rest.length === 2) return second === 'pull_request' ? 'pull_request' : 'push';
  if (first === 'on' && rest.length === 3) return 'globs';
  if (first === 'on' && third !== undefined) return 'glob';
  return String(first);
}

export interface Expectation {
  /** what the value must be, completing "… must be " */
  expect: string;
  /** a line that would be valid there */
  example?: string;
  /** the message when the key is present but has no value (`image:` alone) */
  empty?: string;
}

const GLOBS = { expect: 'a list of glob patterns', example: 'branches: [main, "release/*"]' };

export const EXPECTATIONS: Record<string, Expectation> = {
  job: { expect: 'a mapping of keys such as name, run and uses', example: 'name: Build' },
  name: { expect: 'non-empty text', example: 'name: Build Pistages', empty: 'is empty; give the job a name, e.g. `name: Build Pistages`' },
  description: { expect: 'text', example: 'description: Builds and tests the project' },
  image: { expect: 'an image name without spaces', example: 'image: alpine/git' },
  run: {
    expect: 'a command or a list of commands',
    example: 'run: make test',
    empty: 'has no command; give one (e.g. `run: make test`) or a list of commands, one per line starting with "- "',
  },
  'run[]': { expect: 'a non-empty command (text)', example: '- make test', empty: 'is an empty command; write a command or remove the item' },
  with: { expect: 'a mapping of parameter names to values', example: 'with: {repo: "git@github.com:o/r.git"}' },
  'with.*': {
    expect: 'a single value (text, a number or true/false)',
    example: 'repo: "git@github.com:o/r.git"',
    empty: 'has no value; give it one (quote it if it contains spaces or special characters) or remove the line',
  },
  env: { expect: 'a mapping of variable names to values', example: 'env: {GOFLAGS: "-mod=mod"}' },
  'env.*': {
    expect: 'a single value (text, a number or true/false)',
    example: 'GOFLAGS: "-mod=mod"',
    empty: 'has no value; give it one (use "" for an empty value) or remove the line',
  },
  uses: {
    expect: 'a mapping of group names to lists of steps',
    example: 'uses: {main: [{run: make}]}',
    empty: 'has no groups; add one, e.g. `uses: {main: [{run: make}]}`, or remove `uses`',
  },
  group: {
    expect: "a list of steps, each starting with '- '",
    example: '- run: make',
    empty: "has no steps; add at least one step starting with '- ' (e.g. `- run: make`) or remove the group",
  },
  step: {
    expect: 'a mapping with `dep` or `run`',
    example: '- run: make test',
    empty: 'is empty; write `- run: <command>` to run a command or `- dep: <action name>` to use an action',
  },
  'step.name': { expect: 'text', example: 'name: Unit tests' },
  id: { expect: "an identifier of letters, digits, '_' and '-' that starts with a letter or '_'", example: 'id: build' },
  dep: { expect: 'the name of a registered action', example: 'dep: Clone Repo' },
  timeout: { expect: 'a duration such as 90s, 10m, 1h or 1h30m (units h, m, s in this order)', example: 'timeout: 10m' },
  retry: { expect: 'a whole number ≥ 0 (retries of a failed group)', example: 'retry: 2' },
  resources: { expect: 'a mapping with cpus, memory and/or pids', example: 'resources: {cpus: 2, memory: 1g}' },
  cpus: { expect: 'a number greater than 0', example: 'cpus: 0.5' },
  memory: { expect: 'a size such as 512m, 1g or 256k, or a number of bytes', example: 'memory: 512m' },
  pids: { expect: 'a whole number ≥ 1', example: 'pids: 256' },
  secrets: { expect: 'a list of secret names', example: 'secrets: [NPM_TOKEN]' },
  'secrets[]': { expect: "a secret name of letters, digits and '_' that does not start with a digit", example: '- NPM_TOKEN' },
  on: {
    expect: 'a mapping with `push` and/or `pull_request`',
    example: 'on: {push: {branches: [main]}}',
    empty: 'has no triggers; add `push:` and/or `pull_request:` (e.g. `on: {push: {branches: [main]}}`) or remove `on`',
  },
  push: { expect: 'a mapping with branches, tags and/or paths (or nothing)', example: 'push: {branches: [main]}' },
  pull_request: { expect: 'a mapping with branches and/or paths (or nothing)', example: 'pull_request: {branches: [main]}' },
  globs: GLOBS,
  glob: { expect: 'a non-empty glob pattern (text)', example: '- "release/*"' },
};

/** Names of keys allowed where an unknown key was found, for "did you mean". */
export type KeyLevel = 'job' | 'step' | 'resources' | 'on' | 'push' | 'pull_request';

export function keyLevel(path: DataPath): KeyLevel | undefined {
  const inStep = isStepPath(path);
  const rest = inStep ? path.slice(3) : path;
  if (rest.length === 0) return inStep ? 'step' : 'job';
  if (rest.length === 1 && rest[0] === 'resources') return 'resources';
  if (rest.length === 1 && rest[0] === 'on') return 'on';
  if (rest.length === 2 && rest[0] === 'on' && (rest[1] === 'push' || rest[1] === 'pull_request')) return rest[1];
  return undefined;
}

const TO_STEP = 'belongs to a step; put the step in a group under `uses:`, e.g. `uses: {main: [{dep: Clone Repo}]}`';
const TO_JOB = 'is a job-level key; move it to the top level of the file';
const GROUPS = 'is not a Pistages key; steps go in named groups under `uses:`, e.g. `uses: {main: [{run: make}]}`';
const MERGE = 'is a YAML merge key, which job files do not support; write the keys out (aliases of whole values, `key: *name`, do work)';

/** Keys put at the wrong level, and what to do instead (each text follows the key's name). */
export const MISPLACED_KEYS: Record<'job' | 'step', Record<string, string>> = {
  job: { dep: TO_STEP, id: TO_STEP, steps: GROUPS, jobs: GROUPS, stages: GROUPS, groups: GROUPS, '<<': MERGE },
  step: {
    uses: 'holds the groups of a job; a step uses an action with `dep:`, e.g. `dep: Clone Repo`',
    retry: `${TO_JOB} (retries apply to whole groups)`,
    secrets: TO_JOB,
    on: TO_JOB,
    description: `${TO_JOB}, or use \`name\` for the step`,
    '<<': MERGE,
  },
};

/** Words from other CI systems too far (by spelling) from ours for "did you mean" to find. */
export const KEY_ALIASES: Record<string, string> = {
  script: 'run',
  commands: 'run',
  command: 'run',
  environment: 'env',
  variables: 'env',
  inputs: 'with',
  params: 'with',
  parameters: 'with',
  container: 'image',
  retries: 'retry',
  'timeout-minutes': 'timeout',
  triggers: 'on',
  pull_request_target: 'pull_request',
  merge_request: 'pull_request',
  pr: 'pull_request',
  // GitHub Actions' step-level `uses:` (at the job level `uses` is ours and never unknown)
  uses: 'dep',
};
