import type { Config, ConfigRole } from './config-types.ts';
import {
  ConfigValueError,
  parseChoice,
  parseDuration,
  parseHttpUrl,
  parseInteger,
  parseKey32,
  parseMongoUri,
  parseSize,
} from './config-values.ts';

/**
 * Every environment option: its variable, default, parser and documentation. The single source of
 * truth for loadConfig, the table in docs/configuration.md and .env.example (tests keep them equal).
 */

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


export const MIN_TOKEN_LENGTH = 16;
/** `off` → undefined (no limit), anything else through `parse` */
const optional = (parse: (v: string) => number) => (v: string): number | undefined => (v.trim().toLowerCase() === 'off' ? undefined : parse(v));
const parseCpus = (v: string): number => {
  const n = Number(v.trim());
  if (!/^\d+(\.\d+)?$/.test(v.trim()) || n <= 0) throw new ConfigValueError(`'${v}' is not a CPU count; write it like 2 or 0.5`);
  return n;
};
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
  { env: 'PISTAGES_HOST', key: 'host', default: 'auto', usedBy: 'server, worker', parse: nonEmpty,
    doc: 'Address the HTTP server listens on. `auto`: `127.0.0.1` (this machine only) with the embedded database, `0.0.0.0` (every interface) with `MONGODB_URI`. Set `0.0.0.0` to expose an embedded server, preferably behind a TLS proxy; job containers reach the host\'s interfaces, so keep `/metrics` and the API behind the proxy when you do.' },
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
  { env: 'PISTAGES_DEFAULT_MEMORY', key: 'defaultMemoryBytes', default: '4g', usedBy: 'worker, run', parse: optional(parseSize),
    doc: 'Memory limit of a container whose job and step set no `resources.memory` (swap included). `off`: no limit.' },
  { env: 'PISTAGES_MAX_MEMORY', key: 'maxMemoryBytes', default: '16g', usedBy: 'server, worker, run', parse: optional(parseSize),
    doc: 'Most memory a job may ask for in `resources.memory`; a job asking for more is refused with an error naming this maximum. `off`: no maximum.' },
  { env: 'PISTAGES_DEFAULT_CPUS', key: 'defaultCpus', default: 'off', usedBy: 'worker, run', parse: optional(parseCpus),
    doc: 'CPU limit (fractional CPUs, `1.5`) of a container whose job and step set no `resources.cpus`. `off`: no limit.' },
  { env: 'PISTAGES_MAX_CPUS', key: 'maxCpus', default: 'off', usedBy: 'server, worker, run', parse: optional(parseCpus),
    doc: 'Most CPUs a job may ask for in `resources.cpus`. `off`: no maximum beyond the host\'s CPU count (a run asking for more than the engine has fails before its first step).' },
  { env: 'PISTAGES_DEFAULT_PIDS', key: 'defaultPids', default: '1024', usedBy: 'worker, run', parse: optional((v) => parseInteger(v, 1)),
    doc: 'Process limit of a container whose job and step set no `resources.pids`, so a fork bomb stops at it. `off`: no limit.' },
  { env: 'PISTAGES_MAX_PIDS', key: 'maxPids', default: '32768', usedBy: 'server, worker, run', parse: optional((v) => parseInteger(v, 1)),
    doc: 'Most processes a job may ask for in `resources.pids`. `off`: no maximum.' },
  { env: 'PISTAGES_MAX_TIMEOUT', key: 'maxTimeoutMs', default: '6h', usedBy: 'server, worker, run', parse: optional(parseDuration),
    doc: 'Longest `timeout` a job or step may set; longer ones are refused naming this maximum. `off`: no maximum.' },
  { env: 'PISTAGES_MAX_JOB_SIZE', key: 'maxJobBytes', default: '512kb', usedBy: 'server, run', parse: parseSize,
    doc: 'Largest job file accepted (from the API, a repository or the command line); a larger one is refused naming this maximum.' },
  { env: 'PISTAGES_PULL_POLICY', key: 'pullPolicy', default: 'if-not-present', usedBy: 'worker, run',
    parse: (v) => parseChoice(v, ['if-not-present', 'always', 'never'] as const),
    doc: 'When to pull step images: `if-not-present`, `always` or `never`.' },
  { env: 'PISTAGES_NETWORK', key: 'network', default: 'bridge', usedBy: 'worker, run', parse: nonEmpty,
    doc: 'Network of step containers. `bridge`: each run gets a bridge network of its own (outbound allowed; other runs\' containers unreachable), removed with the run. `internal`: a network of its own with no outbound access. `none`: no network at all. Any other name (`host`, a network you created): every run joins that network, shared and not isolated.' },
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
  { env: 'PISTAGES_RETENTION', key: 'retentionMs', default: '90d', usedBy: 'server', parse: optional(parseDuration),
    doc: 'How long the logs of finished runs are kept (`30d`, `2160h`); older ones are deleted in batches by the server, hourly. `off` keeps everything.' },
  { env: 'PISTAGES_RETENTION_RUNS', key: 'retentionRuns', default: 'keep', usedBy: 'server', parse: (v) => parseChoice(v, ['keep', 'delete'] as const),
    doc: '`delete`: runs older than `PISTAGES_RETENTION` are deleted too (with their logs and report state); `keep`: only their logs go, the runs stay listed.' },
  { env: 'PISTAGES_REPORT_INTERVAL', key: 'reportIntervalMs', default: '10s', usedBy: 'server', parse: parseDuration,
    doc: 'Least time between two progress updates of one run\'s check run on GitHub (final results are sent at once).' },
];

