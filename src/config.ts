import { CONFIG_OPTIONS, type ConfigOption } from './config-options.ts';
import type { Config, ConfigRole } from './config-types.ts';
import { ConfigValueError, uriDatabase } from './config-values.ts';

export { CONFIG_OPTIONS, type ConfigOption } from './config-options.ts';

/**
 * Every setting of Pistages comes from the environment, through `loadConfig`. It is pure (reads only
 * the `env` it is given), validates everything at once and returns a frozen object. CONFIG_OPTIONS
 * (config-options.ts) is the single source of truth: docs/configuration.md carries a table rendered
 * from it (`renderConfigTable`), and a unit test fails when the two differ.
 */

export type { Config, ConfigRole, LogLevel, PullPolicy } from './config-types.ts';

export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Thrown by loadConfig with every problem found, each naming its variable and the fix. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** The value .env.example gives what must be chosen; refused in any option (a MongoDB password too). */
export const ENV_EXAMPLE_PLACEHOLDER = 'replace-me';

/** Reads, validates and freezes the configuration. Throws ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env, options: { role?: ConfigRole } = {}): Config {
  const role = options.role ?? 'any';
  const values: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const option of CONFIG_OPTIONS) {
    const raw = env[option.env];
    const given = raw !== undefined && raw.trim() !== '';
    if (!given && option.requiredFor?.includes(role)) {
      problems.push({ variable: option.env, message: `is required; ${option.howToSet ?? 'set it'}` });
      continue;
    }
    if (given && raw.includes(ENV_EXAMPLE_PLACEHOLDER)) {
      problems.push({ variable: option.env, message: `still holds the placeholder '${ENV_EXAMPLE_PLACEHOLDER}' of .env.example; replace every '${ENV_EXAMPLE_PLACEHOLDER}' in your .env (\`openssl rand -hex 32\` makes a value)` });
      continue;
    }
    const source = given ? raw : defaultFor(option, env);
    try {
      values[option.key] = source === undefined ? undefined : option.parse(source);
    } catch (error) {
      if (!(error instanceof ConfigValueError)) throw error;
      problems.push({ variable: option.env, message: error.message });
    }
  }
  databaseFromUri(env, values, problems);
  if (values.host === 'auto') values.host = values.mongodbUri === undefined ? '127.0.0.1' : '0.0.0.0';
  limitsWithinMaxima(values, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  values.token ??= values.apiToken;
  return Object.freeze(values) as unknown as Config;
}

/** Without PISTAGES_DB, the database in MONGODB_URI's path is the one used. */
function databaseFromUri(env: Record<string, string | undefined>, values: Record<string, unknown>, problems: ConfigProblem[]): void {
  if (env.PISTAGES_DB?.trim() || typeof values.mongodbUri !== 'string') return;
  const named = uriDatabase(values.mongodbUri);
  if (named === undefined) return;
  if (/^[A-Za-z0-9_-]{1,63}$/.test(named)) values.dbName = named;
  else problems.push({ variable: 'MONGODB_URI', message: `names database '${named}', which is not a database name (1-63 letters, digits, '_' or '-'); fix the URI's path or set PISTAGES_DB` });
}

/** A default above its maximum would refuse every job that sets nothing. */
function limitsWithinMaxima(values: Record<string, unknown>, problems: ConfigProblem[]): void {
  const pairs: [string, string, string, string][] = [
    ['PISTAGES_DEFAULT_MEMORY', 'defaultMemoryBytes', 'PISTAGES_MAX_MEMORY', 'maxMemoryBytes'],
    ['PISTAGES_DEFAULT_CPUS', 'defaultCpus', 'PISTAGES_MAX_CPUS', 'maxCpus'],
    ['PISTAGES_DEFAULT_PIDS', 'defaultPids', 'PISTAGES_MAX_PIDS', 'maxPids'],
    ['PISTAGES_DEFAULT_TIMEOUT', 'defaultTimeoutMs', 'PISTAGES_MAX_TIMEOUT', 'maxTimeoutMs'],
  ];
  for (const [defaultEnv, defaultKey, maxEnv, maxKey] of pairs) {
    const dflt = values[defaultKey];
    const max = values[maxKey];
    if (typeof dflt === 'number' && typeof max === 'number' && dflt > max) {
      problems.push({ variable: defaultEnv, message: `is above ${maxEnv}; lower it, or raise ${maxEnv}` });
    }
  }
}

function defaultFor(option: ConfigOption, env: Record<string, string | undefined>): string | undefined {
  if (option.key !== 'dataDir') return option.default;
  if (env.XDG_DATA_HOME?.trim()) return `${env.XDG_DATA_HOME.trim()}/pistages`;
  // root's home is closed to the unprivileged user the embedded PostgreSQL runs as
  if (env.HOME?.trim() === '/root') return '/var/lib/pistages';
  return `${env.HOME?.trim() ? `${env.HOME.trim()}/.local/share` : '.'}/pistages`;
}

/** The markdown table of docs/configuration.md, rendered from CONFIG_OPTIONS. */
export function renderConfigTable(): string {
  const cell = (value: string): string => value.replace(/\|/g, '\\|');
  const rows = CONFIG_OPTIONS.map((o) => {
    const required = o.requiredFor ? ` **Required** (${o.requiredFor.join(', ')}).` : '';
    const dflt = o.default === undefined ? '—' : `\`${o.default}\``;
    return `| \`${o.env}\` | ${dflt} | ${o.usedBy} | ${cell(o.doc + required)} |`;
  });
  return ['| Variable | Default | Used by | Meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** PISTAGES_SECRET_KEY as the 32 bytes the secret store takes; undefined when secrets are disabled. */
export function secretKeyBytes(config: Pick<Config, 'secretKey'>): Buffer | undefined {
  return config.secretKey === undefined ? undefined : Buffer.from(config.secretKey, 'hex');
}
