import { ConfigError, loadConfig, type Config } from '../config.ts';

export interface LocalRunFlags {
  network?: string;
  pull?: string;
  retry?: string;
  logCap?: string;
  groupConcurrency?: string;
}

/** the per-container defaults and the maxima a job may ask for (PISTAGES_DEFAULT_* / PISTAGES_MAX_*), as on a server */
type LimitSettings = Pick<Config, 'defaultMemoryBytes' | 'defaultCpus' | 'defaultPids' | 'maxMemoryBytes' | 'maxCpus' | 'maxPids' | 'maxTimeoutMs' | 'maxJobBytes'>;

export type LocalRunSettings = Pick<Config, 'network' | 'pullPolicy' | 'defaultRetry' | 'defaultTimeoutMs' | 'logCapBytes' | 'groupConcurrency'> & LimitSettings;

/**
 * Settings of `pistages run`: a flag wins over its environment variable, which wins over the
 * default. Flags are validated exactly as the variables they stand for (src/config.ts). The
 * retry default is the exception: 0 unless `--retry N`, whatever PISTAGES_DEFAULT_RETRY says.
 */
export function localRunSettings(flags: LocalRunFlags, env: NodeJS.ProcessEnv): LocalRunSettings | { errors: string[] } {
  const overlay: Record<string, string | undefined> = { ...env };
  const flagFor: [string | undefined, string, string][] = [
    [flags.network, 'PISTAGES_NETWORK', '--network'],
    [flags.pull, 'PISTAGES_PULL_POLICY', '--pull'],
    [flags.retry, 'PISTAGES_DEFAULT_RETRY', '--retry'],
    [flags.logCap, 'PISTAGES_LOG_CAP', '--log-cap'],
    [flags.groupConcurrency, 'PISTAGES_GROUP_CONCURRENCY', '--group-concurrency'],
  ];
  for (const [value, variable] of flagFor) if (value !== undefined) overlay[variable] = value;
  // PISTAGES_DEFAULT_RETRY is the server's: a local run retries a job that sets no `retry` only when asked
  overlay.PISTAGES_DEFAULT_RETRY = flags.retry ?? '0';
  try {
    const config = loadConfig(overlay, { role: 'any' });
    return {
      network: config.network,
      pullPolicy: config.pullPolicy,
      defaultRetry: config.defaultRetry,
      defaultTimeoutMs: config.defaultTimeoutMs,
      logCapBytes: config.logCapBytes,
      groupConcurrency: config.groupConcurrency,
      defaultMemoryBytes: config.defaultMemoryBytes,
      defaultCpus: config.defaultCpus,
      defaultPids: config.defaultPids,
      maxMemoryBytes: config.maxMemoryBytes,
      maxCpus: config.maxCpus,
      maxPids: config.maxPids,
      maxTimeoutMs: config.maxTimeoutMs,
      maxJobBytes: config.maxJobBytes,
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const flagName = new Map(flagFor.filter(([value]) => value !== undefined).map(([, variable, flag]) => [variable, flag]));
    return { errors: error.problems.map((p) => `${flagName.get(p.variable) ?? p.variable}: ${p.message}`) };
  }
}
