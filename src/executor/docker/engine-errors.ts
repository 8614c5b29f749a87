import type { Resources } from '../../pipeline/types.ts';
import { ExecutorError } from '../executor.ts';

/** Error shape of docker-modem: HTTP status from the engine, or a socket error code. */
interface EngineFailure {
  statusCode?: number;
  code?: string;
  message?: string;
  json?: { message?: string } | null;
}

function failure(err: unknown): EngineFailure {
  return typeof err === 'object' && err !== null ? (err as EngineFailure) : {};
}

export function statusOf(err: unknown): number | undefined {
  return failure(err).statusCode;
}

/** The engine's own words, without docker-modem's "(HTTP code 404) no such container -" prefix. */
export function causeOf(err: unknown): string {
  const f = failure(err);
  const text = f.json?.message ?? f.message ?? String(err);
  return text.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'EPERM', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE']);

/** The engine could not be reached at all (socket missing, refused, no permission, ...). */
export function isUnreachable(err: unknown): boolean {
  const { code, statusCode } = failure(err);
  return statusCode === undefined && code !== undefined && UNREACHABLE.has(code);
}

/**
 * Wraps any failure of an engine call as ExecutorError('engine'), with a fix hint when the
 * engine could not be reached at all. `action` says what was being done ("create the workspace");
 * `where` names the engine (see describeEngine).
 */
export function engineError(action: string, err: unknown, where: string): ExecutorError {
  if (err instanceof ExecutorError) return err;
  const f = failure(err);
  if (isUnreachable(err)) {
    return new ExecutorError(
      'engine',
      `cannot ${action}: the Docker engine at ${where} is unreachable (${f.code}: ${causeOf(err)}). ` +
        'Is dockerd running (`docker info`)? May this user use its socket (docker group)? ' +
        'Set DOCKER_HOST to point at another engine.',
      { cause: err },
    );
  }
  return new ExecutorError('engine', `cannot ${action}: ${causeOf(err)}`, { cause: err });
}

/** Where a dockerode client connects, for error messages: `unix:///var/run/docker.sock`, `tcp://h:2375`. */
export function describeEngine(client: object): string {
  const modem = client as { socketPath?: unknown; host?: unknown; port?: unknown; protocol?: unknown };
  if (typeof modem.socketPath === 'string') return `unix://${modem.socketPath}`;
  const port = modem.port === undefined ? '' : `:${String(modem.port)}`;
  return `${String(modem.protocol ?? 'tcp')}://${String(modem.host)}${port}`;
}

/** What the container setup asked of the engine that the engine may refuse; for messages. */
export function describeResources(resources: Resources | undefined): string {
  if (resources === undefined) return 'no resource limits';
  const parts: string[] = [];
  if (resources.cpus !== undefined) parts.push(`cpus: ${resources.cpus}`);
  if (resources.memoryBytes !== undefined) parts.push(`memory: ${resources.memoryBytes} bytes`);
  if (resources.pids !== undefined) parts.push(`pids: ${resources.pids}`);
  return parts.length === 0 ? 'no resource limits' : parts.join(', ');
}

// the runtime could not write a limit the step set (`write .../pids.max: invalid argument`); other
// cgroup trouble (a missing mount, a full disk) is the host's, not the job's
const LIMIT_REFUSED = /(?:cpu\.cfs_quota_us|cpu\.max|pids\.max|memory\.(?:limit_in_bytes|memsw\.limit_in_bytes|max|swap\.max))\b.*invalid argument|range of cpus|minimum memory limit/i;

/**
 * A container the engine would not create or start because of a value the job chose (its
 * `resources`): ExecutorError('job') with the engine's reason, else undefined. A 400 answer to
 * create is a refused request; a start failure counts only when the runtime names a limit, so an
 * engine fault never passes for the job's.
 */
export function refusedByEngine(err: unknown, during: 'create' | 'start', resources: Resources | undefined): ExecutorError | undefined {
  const cause = causeOf(err);
  const refused = during === 'create' ? statusOf(err) === 400 : statusOf(err) === 500 && resources !== undefined && LIMIT_REFUSED.test(cause);
  if (!refused) return undefined;
  return new ExecutorError(
    'job',
    `the Docker engine refused this step's container settings (${describeResources(resources)}): ${cause}; ` +
      'change `resources` in the job (cpus at least 0.01 and at most the host has, memory at least 6m)',
    { cause: err },
  );
}
