import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerSpecRequest } from '../../../../src/executor/executor.ts';
import { DEFAULT_OUTPUT_FILE, ONE_SHOT_OUTPUT_FILE, outputsVolume, toContainerSpec, toEnvList, toOneShotSpec } from '../../../../src/executor/docker/to-container-spec.ts';

function request(overrides: Partial<ContainerSpecRequest> = {}): ContainerSpecRequest {
  return {
    scope: { runId: 'run-7', job: 'Build', group: 'test', attempt: 2 },
    container: 1,
    image: 'node:20',
    env: { CI: 'true', PISTAGES_GROUP: 'test' },
    workspace: { id: 'pistages-ws-1' },
    ...overrides,
  };
}

describe('toContainerSpec', () => {
  it('uses the image and overrides its entrypoint with a shell that keeps the container alive', () => {
    const spec = toContainerSpec(request(), { network: 'bridge' });
    assert.equal(spec.Image, 'node:20');
    assert.deepEqual(spec.Entrypoint?.slice(0, 2), ['sh', '-c']);
    assert.deepEqual(spec.Cmd, []);
    assert.equal(spec.OpenStdin, true, 'the keep-alive shell blocks on an open stdin');
    assert.equal(spec.Tty, false);
  });

  it('passes env as KEY=VALUE in order and adds PISTAGES_OUTPUT', () => {
    const spec = toContainerSpec(request({ env: { B: 'x=y', A: '' } }), { network: 'bridge' });
    assert.deepEqual(spec.Env, ['B=x=y', 'A=', `PISTAGES_OUTPUT=${DEFAULT_OUTPUT_FILE}`]);
  });

  it('labels the container with its run, job, group, attempt and container number', () => {
    const spec = toContainerSpec(request(), { network: 'bridge', labels: { 'pistages.instance': 'ci-1' } });
    assert.deepEqual(spec.Labels, {
      'pistages.instance': 'ci-1',
      'pistages.run': 'run-7',
      'pistages.job': 'Build',
      'pistages.group': 'test',
      'pistages.attempt': '2',
      'pistages.container': '1',
      'pistages.managed': 'true',
    });
  });

  it('extra labels cannot override the ones clean-up relies on', () => {
    const spec = toContainerSpec(request(), { network: 'bridge', labels: { 'pistages.run': 'other', 'pistages.managed': 'false' } });
    assert.equal(spec.Labels?.['pistages.run'], 'run-7');
    assert.equal(spec.Labels?.['pistages.managed'], 'true');
  });

  it('mounts only the workspace at /workspace (the working directory) and its outputs tmpfs', () => {
    const spec = toContainerSpec(request(), { network: 'bridge' });
    assert.equal(spec.WorkingDir, '/workspace');
    assert.deepEqual(spec.HostConfig?.Mounts, [
      { Type: 'volume', Source: 'pistages-ws-1', Target: '/workspace', ReadOnly: false },
      { Type: 'volume', Source: 'pistages-ws-1-outputs', Target: '/.pistages', ReadOnly: false },
    ]);
    assert.ok(DEFAULT_OUTPUT_FILE.startsWith('/.pistages/'));
    assert.equal(spec.HostConfig?.Binds, undefined, 'no host paths, never the docker socket');
    assert.doesNotMatch(JSON.stringify(spec), /docker\.sock/);
  });

  it('hardens the container: init, no privilege, no-new-privileges, no restart', () => {
    const host = toContainerSpec(request(), { network: 'bridge' }).HostConfig;
    assert.equal(host?.Init, true);
    assert.equal(host?.Privileged, false);
    assert.deepEqual(host?.SecurityOpt, ['no-new-privileges:true']);
    assert.equal(host?.CapAdd, undefined);
    assert.deepEqual(host?.RestartPolicy, { Name: 'no' });
  });

  it('joins the configured network', () => {
    assert.equal(toContainerSpec(request(), { network: 'none' }).HostConfig?.NetworkMode, 'none');
    assert.equal(toContainerSpec(request(), { network: 'ci-net' }).HostConfig?.NetworkMode, 'ci-net');
  });

  it('turns resources into engine limits, swap equal to memory', () => {
    const host = toContainerSpec(request({ resources: { cpus: 1.5, memoryBytes: 512 * 1024 * 1024, pids: 256 } }), { network: 'none' }).HostConfig;
    assert.equal(host?.NanoCpus, 1_500_000_000);
    assert.equal(host?.Memory, 536_870_912);
    assert.equal(host?.MemorySwap, 536_870_912);
    assert.equal(host?.PidsLimit, 256);
  });

  it('sets no limits that were not asked for', () => {
    const host = toContainerSpec(request({ resources: { cpus: 0.25 } }), { network: 'none' }).HostConfig;
    assert.equal(host?.NanoCpus, 250_000_000);
    for (const key of ['Memory', 'MemorySwap', 'PidsLimit'] as const) assert.equal(host?.[key], undefined, key);
  });

  it('does not share state between calls', () => {
    const a = toContainerSpec(request(), { network: 'none' });
    a.HostConfig?.SecurityOpt?.push('seccomp=unconfined');
    assert.deepEqual(toContainerSpec(request(), { network: 'none' }).HostConfig?.SecurityOpt, ['no-new-privileges:true']);
  });
});

describe('outputsVolume', () => {
  it('is a world-writable, sticky, size-capped tmpfs named after the workspace', () => {
    assert.deepEqual(outputsVolume({ id: 'ws-9' }), { name: 'ws-9-outputs', driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'mode=1777,size=16m' } });
  });
});

describe('toEnvList', () => {
  it('rejects names the engine would misread', () => {
    assert.throws(() => toEnvList({ 'A=B': 'x' }), /invalid environment variable name "A=B"/);
    assert.throws(() => toEnvList({ '': 'x' }), /invalid environment variable name/);
    assert.throws(() => toEnvList({ A: 'x\0y' }), /NUL/);
  });

  it('keeps values verbatim, including newlines and =', () => {
    assert.deepEqual(toEnvList({ A: 'line1\nline2', B: '==' }), ['A=line1\nline2', 'B===']);
  });
});

describe('toOneShotSpec', () => {
  const options = { network: 'bridge' as const, defaults: { memoryBytes: 1024 ** 3, pids: 100 } };

  it('runs the command as the container\'s process with both environments, outputs in its own /tmp', () => {
    const spec = toOneShotSpec(request({ env: { CI: 'true', SHARED: 'container' } }), { command: 'make test', env: { SHARED: 'step', STEP: '1' } }, options);
    assert.deepEqual(spec.Entrypoint, ['sh', '-e', '-c', 'make test']);
    assert.deepEqual(spec.Cmd, []);
    assert.deepEqual(spec.Env, ['CI=true', 'SHARED=step', 'STEP=1', `PISTAGES_OUTPUT=${ONE_SHOT_OUTPUT_FILE}`]);
    assert.deepEqual([spec.OpenStdin, spec.AttachStdout, spec.AttachStderr, spec.Tty], [false, true, true, false]);
  });

  it('keeps the limits, security options, labels and workspace of a kept-alive container, without the outputs volume or a log copy', () => {
    const alive = toContainerSpec(request(), options);
    const once = toOneShotSpec(request(), { command: 'true', env: {} }, options);
    const { Mounts: aliveMounts, ...aliveHost } = alive.HostConfig ?? {};
    const { Mounts: onceMounts, LogConfig, ...onceHost } = once.HostConfig ?? {};
    assert.deepEqual(onceHost, aliveHost);
    assert.deepEqual(once.Labels, alive.Labels);
    assert.deepEqual(onceMounts, aliveMounts?.filter((mount) => mount.Target === '/workspace'));
    assert.equal(onceMounts?.length, 1);
    assert.deepEqual(LogConfig, { Type: 'none', Config: {} });
  });
});
