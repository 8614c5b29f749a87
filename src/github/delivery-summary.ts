/**
 * The few facts of a payload shown in the deliveries list, read leniently (a delivery is recorded
 * before it is parsed; parse errors are its outcome, not a reason to lose it).
 */
export interface DeliverySummary {
  action?: string;
  repo?: string;
  sha?: string;
  ref?: string;
  sender?: string;
}

type Obj = Record<string, unknown>;

const obj = (value: unknown): Obj | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value.length <= 1000 ? value : undefined);

export function deliverySummary(event: string, payload: unknown): DeliverySummary {
  const p = obj(payload) ?? {};
  const out: DeliverySummary = {};
  const set = (key: keyof DeliverySummary, value: string | undefined): void => {
    if (value !== undefined) out[key] = value;
  };
  set('action', str(p.action));
  set('repo', str(obj(p.repository)?.full_name));
  set('sender', str(obj(p.sender)?.login));
  if (event === 'push') {
    set('sha', str(p.after));
    set('ref', str(p.ref));
  } else if (event === 'pull_request') {
    const head = obj(obj(p.pull_request)?.head);
    set('sha', str(head?.sha));
    set('ref', str(head?.ref));
  } else if (event === 'check_run' || event === 'check_suite') {
    set('sha', str(obj(p[event])?.head_sha));
  }
  return out;
}
