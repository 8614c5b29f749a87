import express, { type RequestHandler } from 'express';
import { HttpError } from '../http-error.ts';

export type BodyKind = 'yaml' | 'json';

const TYPES: Record<BodyKind, string[]> = {
  yaml: ['application/yaml', 'text/yaml', 'application/x-yaml', 'text/x-yaml'],
  json: ['application/json'],
};

/**
 * Body parsing for one route: refuses other content types with 415 (saying which to send), then reads
 * YAML as text and JSON as an object, both within `limitBytes` (over it → 413, see errors.ts).
 * After these handlers `req.body` is a string (YAML, never holding a NUL) or a parsed JSON value.
 */
export function acceptBody(kinds: BodyKind[], limitBytes: number): RequestHandler[] {
  const accepted = kinds.flatMap((k) => TYPES[k]);
  const checkType: RequestHandler = (req, _res, next) => {
    if (req.is(accepted)) {
      next();
      return;
    }
    const sent = req.get('content-type');
    const what = sent === undefined ? 'no Content-Type' : `Content-Type ${sent}`;
    next(new HttpError(415, 'unsupported_media_type', `this endpoint does not accept ${what}; send Content-Type: ${accepted.filter((t) => !t.includes('x-')).join(' or ')}`));
  };
  // bytes that are not UTF-8 would reach the job as U+FFFD replacement characters: refuse them
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const verify = (_req: unknown, _res: unknown, buf: Buffer, encoding: string): void => {
    if (!/^utf-?8$/i.test(encoding)) return;
    try {
      utf8.decode(buf);
    } catch {
      throw new HttpError(400, 'invalid_request', 'the request body is not valid UTF-8; send the file as UTF-8 text');
    }
  };
  const parsers: RequestHandler[] = [];
  if (kinds.includes('yaml')) parsers.push(express.text({ type: TYPES.yaml, limit: limitBytes, defaultCharset: 'utf-8', verify }));
  if (kinds.includes('json')) parsers.push(express.json({ type: TYPES.json, limit: limitBytes, strict: true, verify }));
  // a NUL is no text a job file can mean, and the store refuses it: say so rather than fail later
  const refuseNul: RequestHandler = (req, _res, next) => {
    if (typeof req.body === 'string' && req.body.includes('\u0000')) {
      next(new HttpError(400, 'invalid_request', 'the request body holds a NUL character (\\0); send the file as UTF-8 text'));
      return;
    }
    next();
  };
  return [checkType, ...parsers, refuseNul];
}
