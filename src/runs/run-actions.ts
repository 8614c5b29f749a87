import { parseJob } from '../pipeline/parse.ts';
import type { ActionCatalog, JobFile, ValidationIssue } from '../pipeline/types.ts';
import type { ActionRecord, ActionRegistry, RunAction } from '../store/store.ts';
import { layerCatalogs } from './compile.ts';
import { InvalidJobError } from './errors.ts';

/** An action file sent with a run: used by that run only, never registered. */
export interface RunActionFile {
  file: string;
  yaml: string;
}

export interface RunCatalog {
  catalog: ActionCatalog;
  /** the actions the compile looked up so far, to keep with the run */
  used(): RunAction[];
}

/**
 * The catalog a submitted run compiles against: the action files sent with it first, then the
 * registered actions as they are now. Records which definitions the compile used, so the run
 * keeps them. A sent file that does not parse, or two defining one name, is an InvalidJobError.
 */
export async function runCatalog(registry: ActionRegistry, files: readonly RunActionFile[]): Promise<RunCatalog> {
  const issues: ValidationIssue[] = [];
  const sent = new Map<string, RunActionFile>();
  const sentJobs: JobFile[] = [];
  for (const file of files) {
    const parsed = parseJob(file.yaml, file.file);
    issues.push(...parsed.issues);
    if (parsed.job === undefined) continue;
    sentJobs.push(parsed.job);
    if (!sent.has(parsed.job.name)) sent.set(parsed.job.name, file);
  }
  const records = new Map<string, ActionRecord>((await registry.list()).map((r) => [r.name, r]));
  const layered = layerCatalogs([sentJobs, [...records.values()].map((r) => r.definition)]);
  issues.push(...layered.issues);
  if (issues.length > 0) throw new InvalidJobError(issues);
  const used = new Set<string>();
  const catalog: ActionCatalog = {
    get: (name) => {
      const found = layered.catalog.get(name);
      if (found !== undefined) used.add(name);
      return found;
    },
    names: () => layered.catalog.names(),
  };
  return {
    catalog,
    used: () =>
      [...used].flatMap((name): RunAction[] => {
        const own = sent.get(name);
        if (own !== undefined) return [{ name, scope: 'run', file: own.file, yaml: own.yaml }];
        const record = records.get(name);
        if (record === undefined) return [];
        return [{ name, scope: 'registered', file: record.source.path ?? `${name}.yaml`, yaml: record.yaml, version: record.version }];
      }),
  };
}

/** The files a run was sent with, to compile a rerun the same way. */
export function sentActionFiles(actions: readonly RunAction[] | undefined): RunActionFile[] {
  return (actions ?? []).filter((a) => a.scope === 'run').map((a) => ({ file: a.file, yaml: a.yaml }));
}
