/** Response shapes of the HTTP API as the client sees them (dates arrive as ISO strings). See docs/api.md. */

export interface ActionSummary {
  name: string;
  description: string | null;
  version: number;
  updatedAt: string;
  source: { kind: string; repo?: string; sha?: string; path?: string };
  params: Record<string, string | number | boolean>;
}

export interface ActionDetail extends ActionSummary {
  yaml: string;
}

export interface RunSummary {
  id: string;
  job: string;
  status: string;
  source: string;
  repo: string | null;
  sha: string | null;
  ref: string | null;
  branch: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  message: string | null;
  rerunOf: string | null;
}

export interface StepDetail {
  index: number;
  name: string;
  status: string;
  exitCode: number | null;
  attempt: number;
  startedAt: string | null;
  finishedAt: string | null;
  outputs: Record<string, string>;
  message: string | null;
}

export interface RunDetail extends RunSummary {
  file: string;
  params: Record<string, string | number | boolean>;
  onlyGroups: string[] | null;
  groups: { name: string; status: string; attempt: number; steps: StepDetail[]; attempts: unknown[] }[];
}

export interface RunListFilter {
  repo?: string;
  job?: string;
  status?: string;
  branch?: string;
  sha?: string;
  since?: string;
  limit?: number;
  cursor?: string;
}

export interface LogFilters {
  group?: string;
  step?: number;
  attempt?: number;
}

export interface LogLine {
  group: string;
  step: number;
  stepName: string;
  attempt: number;
  seq: number;
  stream: 'stdout' | 'stderr' | 'system';
  line: string;
  at: string;
  cursor: string;
}

export interface SecretEntry {
  name: string;
  scope: string;
  updatedAt: string;
}

export interface DeliveryEntry {
  id: string;
  event: string;
  action?: string;
  repo?: string;
  sha?: string;
  ref?: string;
  sender?: string;
  outcome: 'received' | 'accepted' | 'ignored' | 'failed';
  reason?: string;
  runIds: string[];
  receivedAt: string;
  processedAt?: string;
  attempts: number;
}

export type TokenRole = 'read' | 'submit' | 'admin';

export interface TokenEntry {
  name: string;
  role: TokenRole;
  repos: string[];
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
}

/** `POST /api/tokens`: the only answer that carries the token */
export interface CreatedToken extends TokenEntry {
  token: string;
}

export interface WhoAmI {
  name: string;
  role: TokenRole;
  repos: string[];
  /** an admin token is granted every repository */
  allRepos: boolean;
  /** what the role allows, in words */
  may: string;
}
