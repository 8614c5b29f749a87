/**
 * ajv's errors, turned into one human finding per problem: what is wrong, where, and how to fix it.
 * ajv reports some problems several times (a failed `oneOf` also reports each branch; a wrong type
 * also fails the keywords of the right type), so those echoes are dropped here.
 */
import type { ErrorObject } from 'ajv';
import { closest } from './suggest.ts';
import { EXPECTATIONS, KEY_ALIASES, MISPLACED_KEYS, keyLevel, kindOf, label, whereKeys } from './field-text.ts';
import { JOB_KEYS, PULL_REQUEST_KEYS, PUSH_KEYS, RESOURCE_KEYS, STEP_KEYS, TRIGGER_KEYS } from './schema.ts';
import type { DataPath, Finding } from './yaml-locate.ts';

const KEYS_BY_LEVEL: Record<string, readonly string[]> = {
  job: JOB_KEYS,
  step: STEP_KEYS,
  resources: RESOURCE_KEYS,
  on: TRIGGER_KEYS,
  push: PUSH_KEYS,
  pull_request: PULL_REQUEST_KEYS,
};

function valueAt(data: unknown, path: DataPath): unknown {
  let value = data;
  for (const segment of path) value = (value as Record<string | number, unknown> | null)?.[segment];
  return value;
}

/** JSON pointer → data path, with array indices as numbers. */
function toPath(pointer: string, data: unknown): DataPath {
  const path: (string | number)[] = [];
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path.push(Array.isArray(valueAt(data, path)) ? Number(segment) : segment);
  }
  return path;
}

export function show(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  return String(value);
}

/** A finding plus what lets `dropEchoes` see that two findings are one problem. */
interface Draft extends Finding {
  /** for an unknown key: the key it probably stands for */
  suggests?: string;
  /** for a missing key: the keys, any of which would satisfy it */
  missing?: readonly string[];
  /** the path of another finding this one already explains */
  covers?: DataPath;
}

/** A path as one string, so sets and maps can compare paths (`same` without a scan). */
const pathKey = (path: DataPath): string => JSON.stringify(path);

type KeyBefore = (container: object, key: string) => string | undefined;

/** The key before `key` in its mapping, each mapping indexed once: n unknown keys must not cost n scans of n keys. */
function keyOrder(): KeyBefore {
  const previous = new WeakMap<object, Map<string, string | undefined>>();
  return (container, key) => {
    let index = previous.get(container);
    if (!index) {
      const keys = Object.keys(container);
      index = new Map(keys.map((k, i) => [k, keys[i - 1]]));
      previous.set(container, index);
    }
    return index.get(key);
  };
}

/** Every step is linear in the number of errors: files with thousands of unknown keys stay cheap. */
export function findingsFromAjv(errors: readonly ErrorObject[], data: unknown): Finding[] {
  const relevant = errors.filter((e) => !e.schemaPath.includes('/oneOf/') && e.keyword !== 'propertyNames');
  const typed = new Set(relevant.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const order = keyOrder();
  const findings: Draft[] = [];
  for (const error of relevant) {
    const isNameError = (error as { propertyName?: string }).propertyName !== undefined;
    if (error.keyword !== 'type' && !isNameError && typed.has(error.instancePath)) continue;
    findings.push(toFinding(error, toPath(error.instancePath, data), data, order));
  }
  return dropEchoes(findings);
}

function toFinding(error: ErrorObject, path: DataPath, data: unknown, order: KeyBefore): Draft {
  const propertyName = (error as { propertyName?: string }).propertyName;
  if (propertyName !== undefined) return badName(path, propertyName);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return unknownKey(path, String(params.additionalProperty), valueAt(data, path), order);
    case 'required':
      return {
        path,
        at: 'node',
        message: 'the job has no `name`; add one at the top, e.g. `name: Build Pistages`',
        missing: ['name'],
      };
    case 'oneOf':
      return runOrUses(path, params.passingSchemas !== null);
    case 'uniqueItems': {
      const item = [...path, Math.max(Number(params.i), Number(params.j))];
      return { path: item, at: 'value', message: `${show(valueAt(data, item))} is listed twice in \`secrets\`; remove one` };
    }
    default:
      return wrongValue(path, valueAt(data, path));
  }
}

/** Keys whose value is a mapping: an unknown key right after one with no value was meant to be inside it. */
const NESTING_KEYS = new Set(['with', 'env', 'resources', 'on', 'push', 'pull_request', 'uses']);

function unknownKey(path: DataPath, key: string, container: unknown, order: KeyBefore): Draft {
  const level = keyLevel(path);
  const allowed = level ? (KEYS_BY_LEVEL[level] ?? []) : [];
  const before = typeof container === 'object' && container !== null ? order(container, key) : undefined;
  const siblings = container as Record<string, unknown>;
  const where = `unknown key '${key}' ${whereKeys(path)}`;
  if (before !== undefined && siblings[before] === null && NESTING_KEYS.has(before)) {
    return {
      path: [...path, key],
      at: 'key',
      message: `${where}; if it belongs under \`${before}:\` above it, indent it deeper than \`${before}:\``,
      covers: [...path, before],
    };
  }
  const moved = level === 'job' || level === 'step' ? MISPLACED_KEYS[level][key] : undefined;
  const alias = KEY_ALIASES[key];
  const suggests = alias !== undefined && allowed.includes(alias) ? alias : closest(key, allowed);
  const group = level === 'job' && Array.isArray(siblings[key]) && !suggests && !moved;
  const allowedList = `remove it or use one of the allowed keys: ${allowed.join(', ')}`;
  const hint = moved
    ? `\`${key}\` ${moved}`
    : suggests
      ? `did you mean '${suggests}'?`
      : group
        ? `if it is a group of steps, indent it under \`uses:\` like the other groups`
        : allowedList;
  return { path: [...path, key], at: 'key', message: `${where}; ${hint}`, suggests };
}

function badName(path: DataPath, name: string): Finding {
  const key = [...path, name];
  const what = kindOf(path) === 'uses' ? 'group name' : kindOf(key) === 'env.*' ? 'environment variable name' : 'parameter name';
  const rule =
    what === 'environment variable name'
      ? "use letters, digits and '_', not starting with a digit"
      : "use letters, digits, '_' and '-', starting with a letter or '_'";
  return { path: key, at: 'key', message: `${what} '${name}' is not valid; ${rule}` };
}

/** The `oneOf` of a job (run | uses) or of a step (dep | run). */
function runOrUses(path: DataPath, both: boolean): Draft {
  const step = path.length > 0;
  const where = label(path);
  if (both && step) {
    return {
      path: [...path, 'run'],
      at: 'key',
      message: `${where} has both \`dep\` and \`run\`; a step either uses an action or runs commands — split it into two steps`,
    };
  }
  if (both) {
    return {
      path: [...path, 'run'],
      at: 'key',
      message: 'a top-level `run` cannot be combined with `uses`; move the commands into a step of a group, e.g. `uses: {main: [{run: make}]}`',
    };
  }
  if (step) {
    return {
      path,
      at: 'node',
      message: `${where} has neither \`dep\` nor \`run\`; add \`run: <command>\` or \`dep: <action name>\``,
      missing: ['dep', 'run'],
    };
  }
  return {
    path,
    at: 'node',
    message: 'the job has neither `run` nor `uses`; add `run: <command>` for a one-step job, or `uses:` with groups of steps',
    missing: ['run', 'uses'],
  };
}

/** Kinds whose value is text: a number or boolean there was probably meant as text. */
const TEXT_KINDS = new Set(['name', 'description', 'image', 'dep', 'step.name', 'run', 'run[]', 'id', 'glob', 'secrets[]']);

function wrongValue(path: DataPath, value: unknown): Finding {
  const kind = kindOf(path);
  const spec = EXPECTATIONS[kind] ?? { expect: 'something else' };
  const where = label(path);
  const example = spec.example ? `; e.g. \`${spec.example}\`` : '';
  const emptyList = Array.isArray(value) && value.length === 0;
  const emptyMap = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
  if (kind === 'group' && (JOB_KEYS as readonly string[]).includes(String(path[1]))) {
    const name = String(path[1]);
    const problem = value === null || emptyList ? spec.empty : `must be ${spec.expect}, not ${show(value)}`;
    return {
      path,
      at: 'key',
      message: `${where} ${problem ?? ''}; if \`${name}:\` is meant as the job's \`${name}\`, it is indented into \`uses:\` — start it in column 1`,
    };
  }
  if (value === null || value === '' || emptyList || emptyMap) {
    const rest = spec.empty ?? `has no value; give ${spec.expect}${spec.example ? ` (e.g. \`${spec.example}\`)` : ''} or remove the line`;
    return { path, at: 'value', message: `${where} ${rest}` };
  }
  if (kind === 'timeout' && typeof value === 'number') {
    const key = path[path.length - 1];
    return { path, at: 'value', message: `${where} needs a unit: write \`${key}: ${value}s\` for ${value} seconds (or ${value}m, ${value}h)` };
  }
  if (kind === 'step' && typeof value === 'string') {
    return {
      path,
      at: 'value',
      message: `${where} must be ${spec.expect}, not text; write \`- run: ${value}\` to run it as a command, or \`- dep: ${value}\` to use the action of that name`,
    };
  }
  if ((typeof value === 'number' || typeof value === 'boolean') && TEXT_KINDS.has(kind)) {
    const last = path[path.length - 1];
    const line = typeof last === 'number' ? `- "${value}"` : `${last}: "${value}"`;
    return { path, at: 'value', message: `${where} must be ${spec.expect}, not the ${typeof value} ${value}; quote it to use it as text: \`${line}\`` };
  }
  const quoteHint =
    (kind === 'run[]' || kind === 'run') && typeof value === 'object'
      ? '; a command that contains \': \' must be quoted, e.g. `- "echo a: b"`'
      : '';
  return { path, at: 'value', message: `${where} must be ${spec.expect}, not ${show(value)}${quoteHint || example}` };
}

/**
 * One problem, one message: a typo'd key ("nme") already explains the missing key it stands for
 * ("name"), and a typo'd `dep`/`run` explains the step that has neither.
 */
function dropEchoes(drafts: readonly Draft[]): Finding[] {
  // what the unknown keys of each mapping stand for, and which paths other findings explain
  const suggested = new Map<string, Set<string>>();
  const covers = new Map<string, Draft[]>();
  for (const d of drafts) {
    if (d.suggests !== undefined) {
      const parent = pathKey(d.path.slice(0, -1));
      suggested.set(parent, (suggested.get(parent) ?? new Set()).add(d.suggests));
    }
    if (d.covers !== undefined) {
      const key = pathKey(d.covers);
      covers.set(key, [...(covers.get(key) ?? []), d].slice(0, 2));
    }
  }
  const explained = (draft: Draft) => {
    const near = suggested.get(pathKey(draft.path));
    return near !== undefined && draft.missing !== undefined && draft.missing.some((key) => near.has(key));
  };
  // two coverers suffice to know whether one is not the draft itself
  const covered = (draft: Draft) => (covers.get(pathKey(draft.path)) ?? []).some((d) => d !== draft);
  return drafts.filter((d) => !explained(d) && !covered(d)).map(({ path, at, message }) => ({ path, at, message }));
}
