/**
 * The one error shape of the HTTP API: `{error, message, details?}` with a status. Route handlers
 * throw HttpError; the error middleware (middleware/errors.ts) turns it into the response.
 * `error` is a stable machine code; `message` says what to do about it.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface ErrorBody {
  error: string;
  message: string;
  details?: Record<string, unknown>;
}

export function badRequest(message: string, details?: Record<string, unknown>): HttpError {
  return new HttpError(400, 'invalid_request', message, details);
}

export function notFound(message: string): HttpError {
  return new HttpError(404, 'not_found', message);
}

export function conflict(message: string, details?: Record<string, unknown>): HttpError {
  return new HttpError(409, 'conflict', message, details);
}

export function secretsDisabled(): HttpError {
  return new HttpError(
    503,
    'secrets_disabled',
    'secrets are disabled on this server: set PISTAGES_SECRET_KEY (generate one with `openssl rand -hex 32`) on the server and its workers, then restart them',
  );
}
