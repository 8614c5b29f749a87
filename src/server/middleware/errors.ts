import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ValidationError } from '../../pipeline/errors.ts';
import { InvalidJobError, QueueUnavailableError, RunStateError, SecretScopeError, SecretsDisabledError } from '../../runs/errors.ts';
import { InvalidInputError } from '../../store/store.ts';
import { HttpError, secretsDisabled, type ErrorBody } from '../http-error.ts';
import { invalidJob } from '../job-input.ts';
import { requestIdOf } from './access-log.ts';

/** Unknown routes answer JSON like every other error. */
export const notFoundRoute: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route ${req.method} ${req.path}; see docs/api.md for the endpoints`));
};

/** body-parser's error types, mapped to statuses and messages a client can act on */
function fromBodyParser(error: { type?: unknown; limit?: unknown }): HttpError | undefined {
  switch (error.type) {
    case 'entity.too.large':
      return new HttpError(413, 'payload_too_large', `request body is larger than the limit of ${String(error.limit)} bytes; send less, or raise PISTAGES_BODY_LIMIT on the server`);
    case 'entity.parse.failed':
      // the parser's own message quotes the body, which may hold a secret: never repeat it
      return new HttpError(400, 'malformed_json', 'request body is not valid JSON');
    case 'encoding.unsupported':
      return new HttpError(415, 'unsupported_media_type', 'the body\'s Content-Encoding is not supported; send it uncompressed, or as gzip, deflate or br');
    case 'charset.unsupported':
      return new HttpError(415, 'unsupported_media_type', 'send the body as UTF-8 (charset=utf-8)');
    case 'request.aborted':
      return new HttpError(400, 'request_aborted', 'the client closed the request before its body arrived');
    default:
      return undefined;
  }
}

/** What Express and zlib throw for a client's malformed bytes (no body-parser `type`), as 400s. */
function fromMalformedInput(error: unknown, contentEncoding: string | undefined): HttpError | undefined {
  // the router's decoding of a path parameter such as `%FF`
  if (error instanceof URIError) {
    return new HttpError(400, 'invalid_request', 'the path holds a malformed percent-encoding; encode names with encodeURIComponent (UTF-8)');
  }
  const { status, code } = error as { status?: unknown; code?: unknown };
  // zlib / brotli failing on the body body-parser was inflating
  if (status === 400 && typeof code === 'string' && contentEncoding !== undefined) {
    return new HttpError(400, 'invalid_request', `the request body is not valid ${contentEncoding} data; send it uncompressed or compressed correctly`);
  }
  return undefined;
}

/**
 * Last middleware: every error becomes `{error, message, details?}`. Expected errors (4xx) are not
 * logged with their content; unexpected ones are logged and answered 500 with the request id only.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const requestId = requestIdOf(res.locals);
    let http: HttpError | undefined;
    if (error instanceof HttpError) http = error;
    else if (error instanceof ValidationError) http = invalidJob(error.issues);
    else if (error instanceof InvalidJobError) http = invalidJob(error.issues);
    else if (error instanceof SecretsDisabledError) http = secretsDisabled();
    else if (error instanceof QueueUnavailableError) http = new HttpError(503, 'queue_unavailable', error.message, { id: error.runId });
    else if (error instanceof SecretScopeError) http = new HttpError(403, 'forbidden', error.message, { repo: error.repo, secrets: error.secrets });
    else if (error instanceof RunStateError) http = new HttpError(409, 'conflict', error.message, { status: error.status });
    else if (error instanceof InvalidInputError) http = new HttpError(400, 'invalid_request', error.message);
    else if (typeof error === 'object' && error !== null) http = fromBodyParser(error) ?? fromMalformedInput(error, req.get('content-encoding'));
    if (http === undefined) {
      log.error({ err: error, requestId, method: req.method, path: req.path }, 'request failed');
      http = new HttpError(500, 'internal', `the server failed to answer; its log has the details under request id ${requestId ?? '?'}`);
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    const body: ErrorBody = { error: http.code, message: http.message };
    if (http.details !== undefined) body.details = http.details;
    res.status(http.status).json(body);
  };
}
