import type { RunResources } from '../executor.ts';

/**
 * What PISTAGES_NETWORK means for step containers:
 * - `bridge`: each run gets a bridge network of its own (outbound allowed), so its groups reach each
 *   other and no other run's containers do; `internal`: the same with `Internal: true` (no outbound);
 * - `none`: no network; any other name (`host`, a network the operator made): every run joins it,
 *   shared and not isolated.
 */
export type NetworkMode = { readonly own: true; readonly internal: boolean } | { readonly own: false; readonly name: string };

export function networkMode(setting: string): NetworkMode {
  if (setting === 'bridge') return { own: true, internal: false };
  if (setting === 'internal') return { own: true, internal: true };
  return { own: false, name: setting };
}

/**
 * The NetworkMode of a container of `run`. With a mode of networks of their own, a container whose
 * run has none (it was never prepared) gets no network at all rather than a shared one.
 */
export function containerNetwork(setting: string, run: RunResources | undefined): string {
  const mode = networkMode(setting);
  if (!mode.own) return mode.name;
  return run?.network ?? 'none';
}
