import type { LogQuery } from '../store/store.ts';

/** group, step and attempt from a page's query (check-run links carry them); bad values are ignored */
export function logFilter(query: Record<string, unknown>): Pick<LogQuery, 'group' | 'step' | 'attempt'> {
  const out: Pick<LogQuery, 'group' | 'step' | 'attempt'> = {};
  const int = (v: unknown, min: number): number | undefined => (typeof v === 'string' && /^\d{1,6}$/.test(v) && Number(v) >= min ? Number(v) : undefined);
  if (typeof query.group === 'string' && query.group !== '') out.group = query.group;
  const step = int(query.step, 0);
  if (step !== undefined) out.step = step;
  const attempt = int(query.attempt, 1);
  if (attempt !== undefined) out.attempt = attempt;
  return out;
}
