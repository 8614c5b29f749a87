/** The shape of the configuration loadConfig (config.ts) returns, from the options in config-options.ts. */

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
  /** operator limits: a default applies when the job sets none; a job asking above a maximum is refused */
  readonly defaultMemoryBytes: number | undefined;
  readonly maxMemoryBytes: number | undefined;
  readonly defaultCpus: number | undefined;
  readonly maxCpus: number | undefined;
  readonly defaultPids: number | undefined;
  readonly maxPids: number | undefined;
  readonly maxTimeoutMs: number | undefined;
  readonly maxJobBytes: number;
  readonly pullPolicy: PullPolicy;
  /** `bridge` / `internal`: a network of its own per run; `none`; else a shared named network */
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
