/**
 * Serves a local repository for `git clone`/`git fetch` over smart HTTP by running git's own CGI
 * program, `git http-backend`, for one request.
 */
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname } from 'node:path';

/**
 * @param gitDir absolute path of the repository's git directory
 * @param rest what follows the repository in the URL path: `/info/refs`, `/git-upload-pack`, ...
 */
export function serveGitHttp(req: IncomingMessage, res: ServerResponse, gitDir: string, rest: string, query: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_PROJECT_ROOT: dirname(gitDir),
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: `/${basename(gitDir)}${rest}`,
        QUERY_STRING: query,
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
        REMOTE_USER: 'x-access-token',
        REMOTE_ADDR: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    req.pipe(child.stdin);
    child.stdin.on('error', () => {
      // the backend may exit before reading the whole body (it answered already)
    });

    let head = Buffer.alloc(0);
    let status = 200;
    let headersSent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = headerEnd(head);
      if (!end) return;
      for (const line of head.subarray(0, end.at).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else res.setHeader(name, value);
      }
      res.statusCode = status;
      headersSent = true;
      res.write(head.subarray(end.at + end.length));
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (!headersSent) {
        status = 500;
        res.statusCode = 500;
        res.setHeader('content-type', 'text/plain');
        res.write(`git http-backend exited with ${String(code)}: ${stderr}`);
      }
      res.end();
      resolve(status);
    });
  });
}

function headerEnd(buffer: Buffer): { at: number; length: number } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  if (lf >= 0) return { at: lf, length: 2 };
  return undefined;
}
