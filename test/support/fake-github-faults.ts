/** Failures and rate limits the fake GitHub answers with, in the order the test planned them. */
import type { Reply } from './fake-github-git-data.ts';

export interface RateLimitOptions {
  /** primary: 403 with x-ratelimit-remaining: 0 and x-ratelimit-reset; secondary: 403 with retry-after */
  kind: 'primary' | 'secondary';
  /** limit this many requests (default 1) ... */
  count?: number;
  /** ... or every request until this time */
  until?: Date;
  /** secondary: the retry-after header (default 1) */
  retryAfterSeconds?: number;
  /** primary: x-ratelimit-reset is now + this (default 1) */
  resetAfterSeconds?: number;
}

interface Fault {
  remaining: number;
  until?: number;
  reply: () => Reply;
}

export class FaultPlan {
  private readonly pending: Fault[] = [];

  /** The next `n` API requests are answered with `status` (default 500). */
  failNext(n: number, options: { status?: number; body?: unknown } = {}): void {
    const status = options.status ?? 500;
    this.pending.push({ remaining: n, reply: () => ({ status, body: options.body ?? { message: `Injected failure ${status}` } }) });
  }

  /** The next `count` API requests (or all until `until`) hit a primary or secondary rate limit. */
  rateLimit(options: RateLimitOptions): void {
    const reply = (): Reply =>
      options.kind === 'primary'
        ? {
            status: 403,
            headers: {
              'x-ratelimit-limit': '5000',
              'x-ratelimit-remaining': '0',
              'x-ratelimit-used': '5000',
              'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + (options.resetAfterSeconds ?? 1)),
            },
            body: { message: 'API rate limit exceeded for installation.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
          }
        : {
            status: 403,
            headers: { 'retry-after': String(options.retryAfterSeconds ?? 1) },
            body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
          };
    this.pending.push({ remaining: options.until ? Infinity : (options.count ?? 1), ...(options.until ? { until: options.until.getTime() } : {}), reply });
  }

  /** Forgets every pending failure and rate limit. */
  clear(): void {
    this.pending.length = 0;
  }

  /** The reply planned for the next API request, if any. */
  take(): Reply | undefined {
    while (this.pending.length > 0) {
      const fault = this.pending[0] as Fault;
      if (fault.remaining <= 0 || (fault.until !== undefined && Date.now() >= fault.until)) {
        this.pending.shift();
        continue;
      }
      fault.remaining--;
      return fault.reply();
    }
    return undefined;
  }
}
