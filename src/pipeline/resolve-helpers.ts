/** Small pure helpers of `dep` expansion: display names, name suggestions, env and resource overlays. */
import { closest } from './suggest.ts';
import type { Resources } from './types.ts';

const NAME_LIMIT = 60;

/** Shared empty values (frozen, so sharing them is safe). */
export const NO_ENV: Readonly<Record<string, string>> = Object.freeze({});
export const NO_IMAGES: readonly string[] = Object.freeze([]);

/** Display name of a `run` step: its first command line, trimmed to about 60 characters. */
export function expandedName(commands: readonly string[]): string {
  const first = (commands[0] ?? '').trim();
  const end = first.indexOf('\n');
  const line = (end === -1 ? first : first.slice(0, end)).trim();
  if (line === '') return 'run';
  return line.length > NAME_LIMIT ? `${line.slice(0, NAME_LIMIT - 1)}…` : line;
}

/**
 * "; did you mean 'A', 'B' or 'C'?" from the up to three closest known names (closest first), or a short
 * list of what exists when nothing is close, or how to register an action when there is none.
 */
export function nearestNames(name: string, known: readonly string[]): string {
  const near: string[] = [];
  let rest = [...known];
  while (near.length < 3) {
    const next = closest(name, rest);
    if (next === undefined) break;
    near.push(next);
    rest = rest.filter((candidate) => candidate !== next);
  }
  if (near.length > 0) {
    const quoted = near.map((n) => `'${n}'`);
    const list = quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : quoted[0];
    return `; did you mean ${list}?`;
  }
  const add = 'register it with `pistages actions register FILE`, or put its file in .pistages/actions/ (or pass --actions DIR)';
  if (known.length === 0) return `; no actions are known: ${add}`;
  const shown = [...known].sort().slice(0, 5).map((n) => `'${n}'`);
  return `; known actions: ${shown.join(', ')}${known.length > 5 ? ', ...' : ''}; ${add}`;
}

/**
 * Later layers win. When at most one layer has entries that layer itself is returned, so the result
 * must be treated as read-only (as all leaf data is).
 */
export function overlayEnv(...layers: Readonly<Record<string, string>>[]): Readonly<Record<string, string>> {
  let only: Readonly<Record<string, string>> = NO_ENV;
  let filled = 0;
  for (const layer of layers) {
    if (layer !== NO_ENV && hasEntries(layer)) {
      only = layer;
      filled++;
    }
  }
  return filled <= 1 ? only : (Object.assign({}, ...layers) as Record<string, string>);
}

function hasEntries(record: Readonly<Record<string, string>>): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return true;
  return false;
}

/** Field-wise overlay, later layers win; a new object (never one of the inputs), or undefined if empty. */
export function overlayResources(...layers: (Resources | undefined)[]): Resources | undefined {
  let out: Resources | undefined;
  for (const layer of layers) {
    if (layer === undefined) continue;
    out ??= {};
    if (layer.cpus !== undefined) out.cpus = layer.cpus;
    if (layer.memoryBytes !== undefined) out.memoryBytes = layer.memoryBytes;
    if (layer.pids !== undefined) out.pids = layer.pids;
  }
  return out;
}
