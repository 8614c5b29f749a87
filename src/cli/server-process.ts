import { loadConfig, ConfigError, type Config, type ConfigRole } from '../config.ts';
import { ConfigValueError, parseDuration } from '../config-values.ts';

/** grace period of a stopping worker when --grace is not given */
export const DEFAULT_GRACE = '30s';

/** Loads the config for a long-running process; prints every problem and returns undefined when invalid. */
export function configFor(role: ConfigRole, command: string, overrides: Record<string, string | undefined> = {}): Config | undefined {
  try {
    // a flag that was not given must not hide its environment variable
    const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
    return loadConfig({ ...process.env, ...given }, { role });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) process.stderr.write(`pistages ${command}: ${problem.variable} ${problem.message}\n`);
    return undefined;
  }
}

/** --grace value → ms; prints the problem and returns undefined when invalid. */
export function graceMs(text: string, command: string): number | undefined {
  try {
    return parseDuration(text);
  } catch (err) {
    if (!(err instanceof ConfigValueError)) throw err;
    process.stderr.write(`pistages ${command}: --grace ${err.message}\n`);
    return undefined;
  }
}
