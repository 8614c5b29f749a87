import { InvalidArgumentError } from 'commander';
import { readFile } from 'node:fs/promises';
import { ApiClient, ApiClientError } from '../../client/api-client.ts';
import { ConfigError, loadConfig } from '../../config.ts';
import { formatIssue } from '../../pipeline/errors.ts';
import type { ValidationIssue } from '../../pipeline/types.ts';

/**
 * What the client commands touch outside themselves, injectable so tests run them in-process.
 * The default is the real process: env, stdio, files, global fetch, process.exitCode.
 */
export interface ClientIo {
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  stdinIsTty: boolean;
  readFile(path: string): Promise<string>;
  setExitCode(code: number): void;
  fetch?: typeof fetch;
  /** stdout is a terminal: colours in followed output */
  stdoutIsTty?: boolean;
  /** calls `handler` on Ctrl-C / SIGTERM until the returned function is called */
  onInterrupt?: (handler: () => void) => () => void;
}

export function processIo(): ClientIo {
  return {
    env: process.env,
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    stdinIsTty: process.stdin.isTTY === true,
    readFile: (path) => readFile(path, 'utf8'),
    setExitCode: (code) => {
      process.exitCode = code;
    },
    stdoutIsTty: process.stdout.isTTY === true,
    onInterrupt: (handler) => {
      process.on('SIGINT', handler).on('SIGTERM', handler);
      return () => void process.off('SIGINT', handler).off('SIGTERM', handler);
    },
  };
}

export function clientFor(io: ClientIo): ApiClient {
  const config = loadConfig(io.env, { role: 'client' });
  return new ApiClient({ url: config.url, token: config.token, ...(io.fetch ? { fetch: io.fetch } : {}) });
}

/** A mistake in how a command was called: exit code 2, as commander's own usage errors. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Wraps a command action: its result is the exit code (default 0); an error is printed as
 * `error: <message>` (a job file's problems as `file:line:col: message` lines) with exit code 1,
 * or 2 for a usage error or an invalid job (as `pistages run`).
 */
export function action<A extends unknown[]>(io: ClientIo, fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      io.setExitCode((await fn(...args)) ?? 0);
    } catch (error) {
      io.stderr(describe(error));
      const invalidJob = error instanceof ApiClientError && error.code === 'invalid_job';
      io.setExitCode(error instanceof UsageError || invalidJob ? 2 : 1);
    }
  };
}

function describe(error: unknown): string {
  if (error instanceof ApiClientError && error.code === 'invalid_job' && Array.isArray(error.details?.issues)) {
    return (error.details.issues as ValidationIssue[]).map((i) => `${formatIssue(i)}\n`).join('');
  }
  if (error instanceof ApiClientError || error instanceof ConfigError || error instanceof UsageError) return `error: ${error.message}\n`;
  if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return `error: ${error.message}\n`;
  return `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`;
}

export function printJson(io: ClientIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** `--step 2` etc.: whole numbers in a range, for commander option parsers */
export function wholeNumber(min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}, got '${value}'`);
    return Number(value);
  };
}
