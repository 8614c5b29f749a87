import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from '../http-error.ts';

/**
 * Bearer-token check for every `/api` route. Both sides are hashed before comparing so the
 * comparison takes the same time whatever the length or content of the token sent.
 */
export function requireToken(apiToken: string): RequestHandler {
  const expected = digest(apiToken);
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match && timingSafeEqual(digest(match[1] as string), expected)) {
      next();
      return;
    }
    next(new HttpError(401, 'unauthorized', 'send Authorization: Bearer <PISTAGES_API_TOKEN>'));
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
