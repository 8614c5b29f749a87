import { createMasker, type Masker } from '../executor/log/mask.ts';
import type { RunRecord, SecretStore } from '../store/store.ts';
import { NotFoundError } from '../store/store.ts';
import { secretRepo } from '../store/secret-names.ts';

/**
 * Masking of secret values in what the API serves about a run (messages, outputs, logs), in the
 * same forms the worker masks at write time (plain, case, hex, URL, JSON, base64: secret-forms.ts).
 * This is the second line, for values stored before a secret was set or changed; it sees one
 * stored line or field at a time, so a value split over stored lines is not caught here.
 * Secrets that no longer exist cannot be masked and are skipped.
 */
export async function runMasker(secrets: SecretStore | undefined, run: Pick<RunRecord, 'plan' | 'repo' | 'secretScope' | 'forge'>): Promise<Masker> {
  const names = run.plan.secrets;
  // the values the run was given: its repository's only when it was granted that scope
  const repo = secretRepo(run);
  if (secrets === undefined || names.length === 0) return createMasker([]);
  try {
    return createMasker(Object.values(await secrets.resolve(names, repo)));
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  const values: string[] = [];
  for (const name of names) {
    try {
      values.push(...Object.values(await secrets.resolve([name], repo)));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  return createMasker(values);
}

/** A copy of `value` with every string masked (object keys too); Dates and numbers as they are. */
export function maskDeep<T>(value: T, masker: Masker): T {
  if (masker.values.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return masker.maskText(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v instanceof Date || v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [masker.maskText(k), walk(x)]));
  };
  return walk(value) as T;
}
