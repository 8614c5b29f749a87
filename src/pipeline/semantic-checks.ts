/**
 * Rules the JSON Schema cannot express: unique step ids, duration and memory ranges, reserved names.
 * Runs on the same data ajv saw and skips values of the wrong type (ajv reports those).
 */
import { label } from './field-text.ts';
import { MEMORY_PATTERN } from './schema.ts';
import { MAX_PIDS, MAX_TIMEOUT_MS, MIN_CPUS, MIN_MEMORY_BYTES, MIN_PIDS, parseDuration, parseMemorySize } from './units.ts';
import type { DataPath, Finding } from './yaml-locate.ts';

type Data = Record<string, unknown>;

const MEMORY_SIZE = new RegExp(MEMORY_PATTERN);

const isMap = (value: unknown): value is Data => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Names Pistages sets itself (PISTAGES_SHA, …); a job must not shadow them. */
const RESERVED_PREFIX = 'PISTAGES_';

export function semanticFindings(data: unknown): Finding[] {
  if (!isMap(data)) return [];
  const findings: Finding[] = [];
  const scopes: { path: DataPath; value: Data }[] = [{ path: [], value: data }];
  if (isMap(data.uses)) {
    for (const [group, steps] of Object.entries(data.uses)) {
      if (!Array.isArray(steps)) continue;
      findings.push(...duplicateIds(group, steps));
      steps.forEach((step, index) => {
        if (isMap(step)) scopes.push({ path: ['uses', group, index], value: step });
      });
    }
  }
  for (const { path, value } of scopes) {
    findings.push(...timeoutRange([...path, 'timeout'], value.timeout));
    if (isMap(value.resources)) findings.push(...resourceRanges([...path, 'resources'], value.resources));
    if (isMap(value.env)) findings.push(...reservedNames([...path, 'env'], Object.keys(value.env)));
    if (isMap(value.with) && 'steps' in value.with) {
      findings.push({
        path: [...path, 'with', 'steps'],
        at: 'key',
        message: "parameter name 'steps' is reserved for step outputs (`{{ .steps.<id>.outputs.<key> }}`); rename the parameter",
      });
    }
  }
  if (Array.isArray(data.secrets)) findings.push(...reservedSecrets(data.secrets));
  return findings;
}

function duplicateIds(group: string, steps: unknown[]): Finding[] {
  const seen = new Map<string, number>();
  const findings: Finding[] = [];
  steps.forEach((step, index) => {
    const id = isMap(step) ? step.id : undefined;
    if (typeof id !== 'string') return;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, index);
    else {
      findings.push({
        path: ['uses', group, index, 'id'],
        at: 'value',
        message: `step id '${id}' is already used by step ${first + 1} of group '${group}'; ids must be unique within a group — rename one`,
      });
    }
  });
  return findings;
}

function timeoutRange(path: DataPath, value: unknown): Finding[] {
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === 0) return [{ path, at: 'value', message: `${label(path)} must be longer than 0s; e.g. \`timeout: 10m\`, or remove it for no limit` }];
  if (ms !== undefined && ms > MAX_TIMEOUT_MS) {
    return [{ path, at: 'value', message: `${label(path)} is '${String(value)}', more than the maximum of 24h; use at most \`timeout: 24h\`` }];
  }
  return [];
}

/** Values the schema lets through but Docker refuses, or would silently read as "no limit". */
function resourceRanges(path: DataPath, resources: Data): Finding[] {
  const at = (key: string, message: string): Finding => ({ path: [...path, key], at: 'value', message: `${label([...path, key])} ${message}` });
  const findings: Finding[] = [];
  const { cpus, memory, pids } = resources;
  if (typeof cpus === 'number' && cpus > 0 && cpus < MIN_CPUS) {
    findings.push(at('cpus', `is ${cpus}, below Docker's minimum of ${MIN_CPUS} CPUs; use at least \`cpus: ${MIN_CPUS}\`, e.g. \`cpus: 0.5\` for half a CPU`));
  }
  if (typeof pids === 'number' && pids >= 1 && pids < MIN_PIDS) {
    findings.push(
      at('pids', `is ${pids}, too few to run a step: every container runs an init process, a shell that keeps it alive and the step's own shell; use at least \`pids: ${MIN_PIDS}\`, more if commands start processes`),
    );
  }
  if (typeof pids === 'number' && pids > MAX_PIDS) {
    findings.push(at('pids', `is ${pids}, above the kernel's maximum of ${MAX_PIDS}; use a smaller number, or remove \`pids\` for no limit`));
  }
  // text that is no size at all is the schema's finding
  if (typeof memory === 'number' || (typeof memory === 'string' && MEMORY_SIZE.test(memory))) {
    const bytes = parseMemorySize(memory);
    const written = typeof memory === 'string' ? `'${memory}'` : `${memory} bytes`;
    if (bytes === undefined && (typeof memory === 'string' || memory >= 0)) {
      findings.push(at('memory', `is ${written}, more than a limit can be; write the size in m or g, e.g. \`memory: 4g\``));
    } else if (bytes === undefined || bytes < MIN_MEMORY_BYTES) {
      findings.push(at('memory', `is ${written}, below Docker's minimum of 6m; use at least \`memory: 6m\` (units k, m, g; a plain number means bytes)`));
    }
  }
  return findings;
}

function reservedNames(path: DataPath, names: string[]): Finding[] {
  return names
    .filter((name) => name.startsWith(RESERVED_PREFIX))
    .map((name) => ({
      path: [...path, name],
      at: 'key' as const,
      message: `environment variable '${name}' is set by Pistages itself; names starting with ${RESERVED_PREFIX} are reserved — choose another name`,
    }));
}

function reservedSecrets(secrets: unknown[]): Finding[] {
  const findings: Finding[] = [];
  secrets.forEach((name, index) => {
    if (typeof name === 'string' && name.startsWith(RESERVED_PREFIX)) {
      findings.push({
        path: ['secrets', index],
        at: 'value',
        message: `secret '${name}' would replace a variable Pistages sets; names starting with ${RESERVED_PREFIX} are reserved — store the secret under another name`,
      });
    }
  });
  return findings;
}
