import {
  ConfigValueError,
  parseChoice,
  parseDuration,
  parseHttpUrl,
  parseInteger,
  parseKey32,
  parseMongoUri,
  parseSize,
  uriDatabase,
} from './config-values.ts';

/**
 * Every setting of Pistages comes from the environment, through `loadConfig`. It is pure (reads only
 * the `env` it is given), validates everything at once and returns a frozen object. CONFIG_OPTIONS is
 * the single source of truth: docs/configuration.md carries a table rendered from it
 * (`renderConfigTable`), and a unit test fails when the two differ.
 */

export type PullPolicy = 'if-not-present' | 'always' | 'never';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/** who is loading the config: decides which options are required */
export type ConfigRole = 'server' | 'worker' | 'client' | 'any';

export interface Config {
  /** undefined → the server starts an embedded FerretDB in dataDir */
  readonly mongodbUri: string | undefined;
  readonly dbName: string;
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  readonly apiToken: string | undefined;
  /** 64 lowercase hex characters (32 bytes); undefined → secrets are disabled */
  readonly secretKey: string | undefined;
  readonly concurrency: number;
  readonly groupConcurrency: number;
  readonly defaultRetry: number;
  readonly defaultTimeoutMs: number;
  readonly logCapBytes: number;
  readonly pullPolicy: PullPolicy;
  readonly network: string;
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  readonly bodyLimitBytes: number;
  readonly logLevel: LogLevel;
  /** `auto`: readable lines on a terminal, JSON lines otherwise */
  readonly logFormat: 'auto' | 'json' | 'text';
  readonly dockerHost: string | undefined;
  /** client side: where `pistages submit/runs/logs/...` send requests */
  readonly url: string;
  /** client side: PISTAGES_TOKEN, else PISTAGES_API_TOKEN (on the server's own machine) */
  readonly token: string | undefined;
  /** GitHub: undefined → the webhook route is off */
  readonly githubWebhookSecret: string | undefined;
  readonly githubAppId: number | undefined;
  readonly githubPrivateKey: string | undefined;
  readonly githubPrivateKeyFile: string | undefined;
  readonly githubToken: string | undefined;
  readonly githubApiUrl: string;
  /** where users reach Pistages' pages (links in check runs and statuses) */
  readonly publicUrl: string | undefined;
  /** `owner/name[@ref]` of the shared actions repository */
  readonly actionsRepo: string | undefined;
  readonly checkoutImage: string;
  readonly reportIntervalMs: number;
  readonly githubWriteIntervalMs: number;
  /** a separate token for the web pages' login form; undefined → the API token */
  readonly uiToken: string | undefined;
  /** `read`: anyone may view the pages without logging in; `off`: every page needs a login */
  readonly uiPublic: 'off' | 'read';
  /** finished runs older than this lose their logs; undefined (`off`) → kept forever */
  readonly retentionMs: number | undefined;
  /** `delete`: those runs are removed too, not only their logs */
  readonly retentionRuns: 'keep' | 'delete';
}

export interface ConfigOption {
  env: string;
  key: keyof Config;
  /** the default as a user would write it; undefined → unset unless required */
  default?: string;
  usedBy: string;
  doc: string;
  /** roles that refuse to start without it, and how to get a value */
  requiredFor?: ConfigRole[];
  howToSet?: string;
  parse: (text: string) => unknown;
}

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

const MIN_TOKEN_LENGTH = 16;
const text = (value: string): string => value.trim();
const nonEmpty = (value: string): string => {
  if (value.trim() === '') throw new ConfigValueError('must not be empty');
  return value.trim();
};
const token = (value: string): string => {
  if (value.length < MIN_TOKEN_LENGTH) {
    throw new ConfigValueError(`must be at least ${MIN_TOKEN_LENGTH} characters; generate one with \`openssl rand -hex 32\``);
  }
  return value;
};
const dbName = (value: string): string => {
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(value)) {
    throw new ConfigValueError(`'${value}' is not a database name; use 1-63 letters, digits, '_' or '-'`);
  }
  return value;
};

export const CONFIG_OPTIONS: readonly ConfigOption[] = [
  { env: 'MONGODB_URI', key: 'mongodbUri', usedBy: 'server, worker', parse: parseMongoUri,
    doc: 'MongoDB connection string. Unset: the server starts an embedded FerretDB that keeps its data in `PISTAGES_DATA_DIR`.' },
  { env: 'PISTAGES_DB', key: 'dbName', default: 'pistages', usedBy: 'server, worker', parse: dbName,
    doc: 'Database to use. Unset: the database named in `MONGODB_URI`\'s path (`mongodb://host/ci` → `ci`), as every MongoDB tool reads it, else `pistages`. Set, it wins over the URI.' },
  { env: 'PISTAGES_DATA_DIR', key: 'dataDir', default: '$XDG_DATA_HOME/pistages', usedBy: 'server, worker', parse: nonEmpty,
    doc: 'Directory for local state (the embedded database). Default: `$XDG_DATA_HOME/pistages`, else `/var/lib/pistages` for root (whose home the database\'s unprivileged user cannot enter), else `$HOME/.local/share/pistages`.' },
  { env: 'PISTAGES_PORT', key: 'port', default: '8080', usedBy: 'server, worker', parse: (v) => parseInteger(v, 0, 65535),
    doc: 'TCP port of the HTTP server (pages, API, webhooks, health, metrics). 0 picks a free port. A worker serves `/healthz`, `/readyz` and `/metrics` on it only when it is set (or given with `--port`).' },
  { env: 'PISTAGES_HOST', key: 'host', default: '0.0.0.0', usedBy: 'server, worker', parse: nonEmpty,
    doc: 'Address the HTTP server listens on. Use `127.0.0.1` to accept local connections only.' },
  { env: 'PISTAGES_API_TOKEN', key: 'apiToken', usedBy: 'server', parse: token, requiredFor: ['server'],
    howToSet: 'generate one with `openssl rand -hex 32` and export PISTAGES_API_TOKEN=<it>',
    doc: `Bearer token every \`/api\` request must send (\`Authorization: Bearer <token>\`). At least ${MIN_TOKEN_LENGTH} characters.` },
  { env: 'PISTAGES_UI_TOKEN', key: 'uiToken', usedBy: 'server', parse: token,
    doc: `Token the web pages' login form accepts, so people need not know the API token. Unset: the form takes PISTAGES_API_TOKEN. At least ${MIN_TOKEN_LENGTH} characters.` },
  { env: 'PISTAGES_UI_PUBLIC', key: 'uiPublic', default: 'off', usedBy: 'server', parse: (v) => parseChoice(v, ['off', 'read'] as const),
    doc: '`read`: anyone who reaches the server may view the pages (runs, logs, actions, deliveries) without logging in; re-run and cancel still need a login. `off`: every page needs a login.' },
  { env: 'PISTAGES_SECRET_KEY', key: 'secretKey', usedBy: 'server, worker', parse: parseKey32,
    doc: 'Key that encrypts stored secrets: 32 bytes as 64 hex characters or base64 (`openssl rand -hex 32`). Unset: secrets are disabled (the secrets API answers 503 and jobs that use secrets are refused). Keep it stable: secrets stored under another key cannot be read.' },
  { env: 'PISTAGES_CONCURRENCY', key: 'concurrency', default: '2', usedBy: 'worker', parse: (v) => parseInteger(v, 1, 1000),
    doc: 'Runs one worker executes at the same time.' },
  { env: 'PISTAGES_GROUP_CONCURRENCY', key: 'groupConcurrency', default: '8', usedBy: 'worker, run', parse: (v) => parseInteger(v, 1, 1000),
    doc: 'Groups of one run that execute at the same time.' },
  { env: 'PISTAGES_DEFAULT_RETRY', key: 'defaultRetry', default: '1', usedBy: 'worker', parse: (v) => parseInteger(v, 0, 100),
    doc: 'Automatic retries of a failed group when the job file sets no `retry` (server runs; `pistages run` retries only with `--retry N`).' },
  { env: 'PISTAGES_DEFAULT_TIMEOUT', key: 'defaultTimeoutMs', default: '1h', usedBy: 'worker, run', parse: parseDuration,
    doc: 'Time limit of a step when neither the step nor the job sets `timeout` (`90s`, `10m`, `1h30m`).' },
  { env: 'PISTAGES_LOG_CAP', key: 'logCapBytes', default: '10m', usedBy: 'worker, run', parse: parseSize,
    doc: 'Most log output kept per step attempt (`512kb`, `10m`); the rest is dropped with a notice line.' },
  { env: 'PISTAGES_PULL_POLICY', key: 'pullPolicy', default: 'if-not-present', usedBy: 'worker, run',
    parse: (v) => parseChoice(v, ['if-not-present', 'always', 'never'] as const),
    doc: 'When to pull step images: `if-not-present`, `always` or `never`.' },
  { env: 'PISTAGES_NETWORK', key: 'network', default: 'bridge', usedBy: 'worker, run', parse: nonEmpty,
    doc: 'Docker network step containers join.' },
  { env: 'PISTAGES_LEASE', key: 'leaseMs', default: '30s', usedBy: 'worker', parse: parseDuration,
    doc: 'How long a worker holds a run between heartbeats; a run whose lease ends is recovered by another worker.' },
  { env: 'PISTAGES_POLL_INTERVAL', key: 'pollIntervalMs', default: '500ms', usedBy: 'worker', parse: parseDuration,
    doc: 'How often a worker polls for runs queued by other processes, and for expired leases. Runs queued by the server a worker runs in start at once.' },
  { env: 'PISTAGES_BODY_LIMIT', key: 'bodyLimitBytes', default: '1mb', usedBy: 'server', parse: parseSize,
    doc: 'Largest request body the API accepts (job files, JSON); larger requests get 413.' },
  { env: 'PISTAGES_LOG_LEVEL', key: 'logLevel', default: 'info', usedBy: 'all',
    parse: (v) => parseChoice(v, ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    doc: 'Level of the logs on stdout: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`.' },
  { env: 'PISTAGES_LOG_FORMAT', key: 'logFormat', default: 'auto', usedBy: 'server, worker', parse: (v) => parseChoice(v, ['auto', 'json', 'text'] as const),
    doc: 'Log lines of `serve` and `worker`: `auto` prints readable lines on a terminal and JSON lines (for log collectors) otherwise; `json` or `text` forces one.' },
  { env: 'DOCKER_HOST', key: 'dockerHost', usedBy: 'worker, run', parse: text,
    doc: 'Docker engine to use (passed through to the Docker client). Unset: the local socket.' },
  { env: 'PISTAGES_URL', key: 'url', default: 'http://127.0.0.1:8080', usedBy: 'client', parse: parseHttpUrl,
    doc: 'Client commands (`submit`, `runs`, `logs`, `actions`, `secrets`, ...): URL of the Pistages server.' },
  { env: 'PISTAGES_TOKEN', key: 'token', usedBy: 'client', parse: nonEmpty,
    doc: 'Client commands: the server\'s API token. Unset: `PISTAGES_API_TOKEN` is used.' },
  { env: 'GITHUB_WEBHOOK_SECRET', key: 'githubWebhookSecret', usedBy: 'server', parse: token,
    doc: 'Secret of the GitHub webhook (App or repository webhook); `POST /webhooks/github` verifies `X-Hub-Signature-256` with it. Unset: the webhook route is off. At least 16 characters (`openssl rand -hex 32`).' },
  { env: 'GITHUB_APP_ID', key: 'githubAppId', usedBy: 'server', parse: (v) => parseInteger(v, 1, Number.MAX_SAFE_INTEGER),
    doc: 'ID of the GitHub App (its settings page, "App ID"). With `GITHUB_PRIVATE_KEY` or `GITHUB_PRIVATE_KEY_FILE`: Pistages acts as the App, with an installation token per repository.' },
  { env: 'GITHUB_PRIVATE_KEY', key: 'githubPrivateKey', usedBy: 'server', parse: nonEmpty,
    doc: 'The App\'s private key (PEM). `\\n` sequences are read as line breaks, so the key fits on one line.' },
  { env: 'GITHUB_PRIVATE_KEY_FILE', key: 'githubPrivateKeyFile', usedBy: 'server', parse: nonEmpty,
    doc: 'Path of a file holding the App\'s private key (instead of `GITHUB_PRIVATE_KEY`).' },
  { env: 'GITHUB_TOKEN', key: 'githubToken', usedBy: 'server', parse: nonEmpty,
    doc: 'A personal access or fine-grained token, used instead of an App (needs: checks and statuses write, contents read). Steps of runs of the token\'s repositories get it as `PISTAGES_GIT_TOKEN`.' },
  { env: 'GITHUB_API_URL', key: 'githubApiUrl', default: 'https://api.github.com', usedBy: 'server', parse: parseHttpUrl,
    doc: 'GitHub\'s REST API: `https://<host>/api/v3` for GitHub Enterprise Server.' },
  { env: 'PISTAGES_PUBLIC_URL', key: 'publicUrl', usedBy: 'server', parse: parseHttpUrl,
    doc: 'Address users reach this server at; check runs and commit statuses link to `<it>/runs/<id>`. Unset: no links.' },
  { env: 'PISTAGES_ACTIONS_REPO', key: 'actionsRepo', usedBy: 'server', parse: nonEmpty,
    doc: 'Shared actions repository, `owner/name[@ref]` (default ref: its default branch): its action files are registered at start-up and on every push to that ref.' },
  { env: 'PISTAGES_CHECKOUT_IMAGE', key: 'checkoutImage', default: 'alpine/git', usedBy: 'server, run', parse: nonEmpty,
    doc: 'Image of the built-in `Checkout` action (needs `git`, `sh` and `base64`).' },
  { env: 'GITHUB_WRITE_INTERVAL', key: 'githubWriteIntervalMs', default: '1s', usedBy: 'server', parse: parseDuration,
    doc: 'Least time between two writes to GitHub (statuses, check runs). GitHub asks integrations to space writes at least a second apart to stay clear of its secondary rate limits; lower it only for a GitHub Enterprise Server without them.' },
  { env: 'PISTAGES_RETENTION', key: 'retentionMs', default: '90d', usedBy: 'server', parse: (v) => (v.trim() === 'off' ? undefined : parseDuration(v)),
    doc: 'How long the logs of finished runs are kept (`30d`, `2160h`); older ones are deleted in batches by the server, hourly. `off` keeps everything.' },
  { env: 'PISTAGES_RETENTION_RUNS', key: 'retentionRuns', default: 'keep', usedBy: 'server', parse: (v) => parseChoice(v, ['keep', 'delete'] as const),
    doc: '`delete`: runs older than `PISTAGES_RETENTION` are deleted too (with their logs and report state); `keep`: only their logs go, the runs stay listed.' },
  { env: 'PISTAGES_REPORT_INTERVAL', key: 'reportIntervalMs', default: '10s', usedBy: 'server', parse: parseDuration,
    doc: 'Least time between two progress updates of one run\'s check run on GitHub (final results are sent at once).' },
];

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
    const source = given ? raw : defaultFor(option, env);
    try {
      values[option.key] = source === undefined ? undefined : option.parse(source);
    } catch (error) {
      if (!(error instanceof ConfigValueError)) throw error;
      problems.push({ variable: option.env, message: error.message });
    }
  }
  databaseFromUri(env, values, problems);
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
