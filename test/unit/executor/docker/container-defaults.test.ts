/** The operator's per-container defaults (PISTAGES_DEFAULT_MEMORY / _CPUS / _PIDS) in the container configuration. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerSpecRequest } from '../../../../src/executor/executor.ts';
import { containerDefaults } from '../../../../src/executor/docker/options.ts';
import { toContainerSpec } from '../../../../src/executor/docker/to-container-spec.ts';

const GIB = 1024 ** 3;

function request(resources?: ContainerSpecRequest['resources']): ContainerSpecRequest {
  return {
    scope: { runId: 'run-1', job: 'Build', group: 'main', attempt: 1 },
    container: 0,
    image: 'alpine',
    env: {},
    workspace: { id: 'pistages-ws-1' },
    ...(resources !== undefined && { resources }),
  };
}

const defaults = { memoryBytes: 4 * GIB, cpus: 2, pids: 1024 };

describe('toContainerSpec with operator defaults', () => {
  it('a step without resources gets every default, memory with swap equal to it', () => {
    const host = toContainerSpec(request(), { network: 'none', defaults }).HostConfig;
    assert.equal(host?.Memory, 4 * GIB);
    assert.equal(host?.MemorySwap, 4 * GIB);
    assert.equal(host?.NanoCpus, 2_000_000_000);
    assert.equal(host?.PidsLimit, 1024);
  });

  it('each field the step sets wins; the others keep their default', () => {
    const host = toContainerSpec(request({ memoryBytes: 512 * 1024 ** 2 }), { network: 'none', defaults }).HostConfig;
    assert.equal(host?.Memory, 512 * 1024 ** 2);
    assert.equal(host?.MemorySwap, 512 * 1024 ** 2);
    assert.equal(host?.NanoCpus, 2_000_000_000);
    assert.equal(host?.PidsLimit, 1024);
    const more = toContainerSpec(request({ pids: 4096, cpus: 0.5 }), { network: 'none', defaults }).HostConfig;
    assert.equal(more?.PidsLimit, 4096);
    assert.equal(more?.NanoCpus, 500_000_000);
    assert.equal(more?.Memory, 4 * GIB);
  });

  it('a default that is off sets no limit', () => {
    const host = toContainerSpec(request(), { network: 'none', defaults: { memoryBytes: undefined, cpus: undefined, pids: 1024 } }).HostConfig;
    for (const key of ['Memory', 'MemorySwap', 'NanoCpus'] as const) assert.equal(host?.[key], undefined, key);
    assert.equal(host?.PidsLimit, 1024);
  });

  it('the defaults come from the settings of the same names', () => {
    assert.deepEqual(containerDefaults({ defaultMemoryBytes: 4 * GIB, defaultCpus: undefined, defaultPids: 1024 }), {
      memoryBytes: 4 * GIB,
      cpus: undefined,
      pids: 1024,
    });
  });
});
