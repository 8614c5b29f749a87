/** The stored API tokens' records and store (collection `api_tokens`); re-exported by store.ts. */

/** What an API token may do: `read` runs, logs, actions, deliveries; `submit` also runs; `admin` everything. */
export type TokenRole = 'read' | 'submit' | 'admin';

export interface ApiTokenRecord {
  name: string;
  role: TokenRole;
  /** repositories (`owner/name`) whose scoped secrets runs submitted with this token receive */
  repos: string[];
  createdAt: Date;
  /** the last request made with it, to the minute */
  lastUsedAt?: Date;
  /** the name of the token that created it */
  createdBy: string;
}

/** Stored API tokens (collection `api_tokens`): only a SHA-256 hash of each token is kept, never the token. */
export interface ApiTokenStore {
  /** stamps createdAt; throws ConflictError when the name is taken, InvalidInputError for a bad name, role or repo */
  create(token: Omit<ApiTokenRecord, 'createdAt' | 'lastUsedAt'>, hash: string): Promise<ApiTokenRecord>;
  /** the token whose hash (hashApiToken) this is, or null */
  findByHash(hash: string): Promise<ApiTokenRecord | null>;
  /** every token, by name; never a hash */
  list(): Promise<ApiTokenRecord[]>;
  remove(name: string): Promise<boolean>;
  /** records a use at `now`; writes only when the recorded use is a minute old or more */
  touch(name: string, now: Date): Promise<void>;
}
