import type { RequestHandler } from 'express';
import { HttpError } from '../http-error.ts';

/**
 * Refuses a path that encodes a NUL (`%00`): no run id, action or secret name holds one, and the
 * store cannot look one up, so the client gets a 400 naming the problem rather than a 500.
 */
export const refuseNulInPath: RequestHandler = (req, _res, next) => {
  if (/%00/i.test(req.path)) {
    next(new HttpError(400, 'invalid_request', 'the path holds an encoded NUL character (%00); names and ids never contain one'));
    return;
  }
  next();
};
