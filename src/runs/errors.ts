import { formatIssue } from '../pipeline/errors.ts';
import type { ValidationIssue } from '../pipeline/types.ts';

/**
 * Domain errors of the application layer. They say what is wrong and what to do; the HTTP layer
 * (server/) maps each to a status, the CLI prints the message, the webhook records it on the delivery.
 */

/** The job file (or an action it uses) cannot be compiled; carries every issue with its position. */
export class InvalidJobError extends Error {
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[]) {
    const shown = issues.slice(0, 5).map(formatIssue).join('\n');
    const more = issues.length > 5 ? `\n(and ${issues.length - 5} more)` : '';
    super(`the job file has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n${shown}${more}`);
    this.name = 'InvalidJobError';
    this.issues = issues;
  }
}

/** The job uses secrets but the server has no PISTAGES_SECRET_KEY. */
export class SecretsDisabledError extends Error {
  constructor() {
    super(
      'secrets are disabled on this server: set PISTAGES_SECRET_KEY (generate one with `openssl rand -hex 32`) on the server and its workers, then restart them',
    );
    this.name = 'SecretsDisabledError';
  }
}

/** The run was stored but could not be queued; it has been finished as `error`. */
export class QueueUnavailableError extends Error {
  readonly runId: string;

  constructor(runId: string, reason: string) {
    super(`the run was stored but could not be queued (${reason}); it is marked error, submit it again`);
    this.name = 'QueueUnavailableError';
    this.runId = runId;
  }
}

/** The run is in a state that does not allow the operation (rerun of a running run, ...). */
export class RunStateError extends Error {
  readonly status: string;

  constructor(message: string, status: string) {
    super(message);
    this.name = 'RunStateError';
    this.status = status;
  }
}

/**
 * A run names a repository whose scoped secrets its submitter may not receive: a secret the job uses
 * has a value in that repository's scope. Nothing was stored.
 */
export class SecretScopeError extends Error {
  readonly repo: string;
  readonly secrets: string[];

  constructor(repo: string, secrets: string[]) {
    const names = secrets.join(', ');
    super(
      `secret${secrets.length === 1 ? '' : 's'} ${names} of this job ${secrets.length === 1 ? 'has a value' : 'have values'} in repository ${repo}'s scope, ` +
        `and this token is not granted ${repo}: submit with a token granted it (pistages tokens create NAME --role submit --repo ${repo}), or without repo=`,
    );
    this.name = 'SecretScopeError';
    this.repo = repo;
    this.secrets = secrets;
  }
}
