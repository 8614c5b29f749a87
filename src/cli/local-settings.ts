import { parseByteSize } from '../pipeline/units.ts';

export interface LocalRunFlags {
  network?: string;
  pull?: string;
  retry?: string;
  logCap?: string;
  groupConcurrency?: string;
}

export interface LocalRunSettings {
  network: string;
  pullPolicy: 'if-not-present' | 'always' | 'never';
  defaultRetry: number;
  logCapBytes: number;
  groupConcurrency: number;
}

const PULL_POLICIES = ['if-not-present', 'always', 'never'] as const;

/** Settings of `pistages run`: a flag wins over its environment variable, which wins over the default. */
export function localRunSettings(flags: LocalRunFlags, env: NodeJS.ProcessEnv): LocalRunSettings | { errors: string[] } {
  const errors: string[] = [];
  const pick = (flag: string | undefined, name: string) => flag ?? env[name];

  const pull = pick(flags.pull, 'PISTAGES_PULL_POLICY') ?? 'if-not-present';
  if (!(PULL_POLICIES as readonly string[]).includes(pull)) errors.push(`pull policy '${pull}' is not one of ${PULL_POLICIES.join(', ')}`);

  const count = (text: string | undefined, name: string, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) errors.push(`${name} must be a whole number ≥ ${min}, got '${text}'`);
    return n;
  };
  const defaultRetry = count(pick(flags.retry, 'PISTAGES_DEFAULT_RETRY'), 'retry (--retry / PISTAGES_DEFAULT_RETRY)', 1, 0);
  const groupConcurrency = count(pick(flags.groupConcurrency, 'PISTAGES_GROUP_CONCURRENCY'), 'group concurrency (--group-concurrency / PISTAGES_GROUP_CONCURRENCY)', 8, 1);

  const capText = pick(flags.logCap, 'PISTAGES_LOG_CAP') ?? '10m';
  const logCapBytes = parseByteSize(capText);
  if (logCapBytes === undefined) errors.push(`log cap '${capText}' is not a size; write e.g. 10m, 512k or 1g`);

  if (errors.length > 0) return { errors };
  return {
    network: pick(flags.network, 'PISTAGES_NETWORK') ?? 'bridge',
    pullPolicy: pull as LocalRunSettings['pullPolicy'],
    defaultRetry,
    logCapBytes: logCapBytes ?? 0,
    groupConcurrency,
  };
}
