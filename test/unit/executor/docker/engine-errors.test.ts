import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { engineError, refusedByEngine } from '../../../../src/executor/docker/engine-errors.ts';
import { startError } from '../../../../src/executor/docker/start-error.ts';
import { assertExecFits, MAX_EXEC_STRING_BYTES } from '../../../../src/executor/docker/exec-limits.ts';
import { ExecutorError, type ContainerSpecRequest } from '../../../../src/executor/executor.ts';
import { NotReadyError } from '../../../../src/executor/docker/readiness.ts';

/** docker-modem's error shape: the engine's HTTP status and message, or a socket error code. */
const http = (statusCode: number, message: string) => Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message} `), { statusCode, json: { message } });
const socket = (code: string) => Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code });

const request = (resources?: ContainerSpecRequest['resources']): ContainerSpecRequest => ({
  scope: { runId: 'r', job: 'j', group: 'g', attempt: 1 },
  container: 0,
  image: 'alpine:3',
  env: {},
  ...(resources !== undefined && { resources }),
  workspace: { id: 'ws' },
});

describe('which engine errors the job caused', () => {
  it('a 400 answer to create is the job\'s: the engine refused a value it chose', () => {
    const err = refusedByEngine(http(400, 'Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available'), 'create', { cpus: 1000 });
    assert.ok(err instanceof ExecutorError);
    assert.equal(err.kind, 'job');
    assert.equal(
      err.message,
      "the Docker engine refused this step's container settings (cpus: 1000): Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available; " +
        'change `resources` in the job (cpus at least 0.01 and at most the host has, memory at least 6m)',
    );
  });

  it('a start failure is the job\'s only when the runtime names a limit the job set', () => {
    const cgroup = http(500, 'failed to create shim task: OCI runtime create failed: failed to write "99999999999999": write /sys/fs/cgroup/pids/docker/x/pids.max: invalid argument');
    assert.equal(startError(cgroup, request({ pids: 99_999_999_999_999 }), 'unix:///d.sock').kind, 'job');
    // the same words without limits in the request, or another engine failure, stay the engine's
    assert.equal(startError(cgroup, request(), 'unix:///d.sock').kind, 'engine');
    assert.equal(startError(http(500, 'driver failed programming external connectivity'), request({ cpus: 1 }), 'unix:///d.sock').kind, 'engine');
    const hostCgroups = http(500, 'OCI runtime create failed: cgroup mountpoint does not exist: unknown');
    assert.equal(startError(hostCgroups, request({ pids: 64 }), 'unix:///d.sock').kind, 'engine', 'broken cgroups are the host\'s');
    const quota = http(500, 'error setting cgroup config for procHooks process: failed to write "100": write /sys/fs/cgroup/cpu/docker/x/cpu.cfs_quota_us: invalid argument: unknown');
    assert.equal(startError(quota, request({ cpus: 0.001 }), 'unix:///d.sock').kind, 'job');
    assert.equal(refusedByEngine(http(500, 'no space left on device'), 'create', { cpus: 1 }), undefined);
  });

  it('an unreachable engine is the engine\'s, and a missing shell the image\'s', () => {
    assert.equal(startError(socket('ECONNREFUSED'), request({ cpus: 1 }), 'unix:///d.sock').kind, 'engine');
    assert.equal(refusedByEngine(socket('ECONNREFUSED'), 'create', { cpus: 1 }), undefined);
    assert.equal(engineError('create a container', socket('ENOENT'), 'unix:///d.sock').kind, 'engine');
    assert.equal(startError(new NotReadyError('the container exited (exit code 127) before it was ready'), request(), 'unix:///d.sock').kind, 'image');
  });
});

describe('assertExecFits', () => {
  it('accepts a command and variables up to what Linux execs, and refuses longer ones as the job\'s error', () => {
    assert.doesNotThrow(() => assertExecFits({ command: 'x'.repeat(MAX_EXEC_STRING_BYTES), env: { A: 'y'.repeat(MAX_EXEC_STRING_BYTES - 2) } }));
    assert.throws(
      () => assertExecFits({ command: 'é'.repeat(MAX_EXEC_STRING_BYTES / 2 + 1), env: {} }),
      (err: unknown) => err instanceof ExecutorError && err.kind === 'job' && /^the command is 131072 bytes, more than the 131071 bytes Linux accepts/.test(err.message),
    );
    assert.throws(
      () => assertExecFits({ command: 'true', env: { BIG: 'y'.repeat(MAX_EXEC_STRING_BYTES) } }),
      (err: unknown) => err instanceof ExecutorError && err.kind === 'job' && /^environment variable BIG is 131075 bytes/.test(err.message),
    );
  });
});
