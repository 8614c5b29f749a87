import { InvalidArgumentError } from 'commander';
import type { Scalar } from '../pipeline/types.ts';

/** commander collector for repeatable `--with key=value`. Values stay strings; templates render them as text. */
export function collectWith(value: string, previous: Record<string, Scalar> = {}): Record<string, Scalar> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value, got '${value}' (e.g. --with repo=https://example.com/x.git)`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
