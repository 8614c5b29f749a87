/**
 * An in-memory ActionCatalog built from parsed action files (the CLI's `--actions DIR`, a repository's
 * `.pistages/actions/`, or the server's registered actions after loading).
 * Entries are deep copies, deeply frozen: no run can change a registered action, and the caller's
 * JobFile objects stay theirs.
 */
import { issueAt } from './errors.ts';
import type { ActionCatalog, JobFile, ValidationIssue } from './types.ts';

export function createCatalog(actions: readonly JobFile[]): { catalog: ActionCatalog; issues: ValidationIssue[] } {
  const byName = new Map<string, JobFile>();
  const issues: ValidationIssue[] = [];
  for (const action of actions) {
    const first = byName.get(action.name);
    if (first !== undefined) {
      // The first definition stays usable, so a duplicate does not also cause "unknown action" errors.
      issues.push(
        issueAt(action.pos, `action '${action.name}' is also defined in ${first.pos.file}:${first.pos.line}:${first.pos.col}; rename one`),
      );
      continue;
    }
    byName.set(action.name, deepFreeze(structuredClone(action)));
  }
  const catalog: ActionCatalog = {
    get: (name) => byName.get(name),
    names: () => [...byName.keys()],
  };
  return { catalog, issues };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
