import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerSpecRequest } from '../../../../src/executor/executor.ts';
import { containerNetwork, networkMode } from '../../../../src/executor/docker/network-mode.ts';
import { toContainerSpec } from '../../../../src/executor/docker/to-container-spec.ts';

const request: ContainerSpecRequest = {
  scope: { runId: 'run-7', job: 'Build', group: 'test', attempt: 1 },
  container: 0,
  image: 'node:20',
  env: {},
  workspace: { id: 'pistages-ws-1' },
};
const ownNetwork = { runId: 'run-7', network: 'pistages-run-7-a1-net-0a1b2c3d' };

describe('toContainerSpec: network and capabilities', () => {
  it('puts a container of a run in the run\'s own network with `bridge` and `internal`', () => {
    for (const network of ['bridge', 'internal']) {
      assert.equal(toContainerSpec(request, { network }, ownNetwork).HostConfig?.NetworkMode, ownNetwork.network, network);
    }
  });

  it('never falls back to a shared network when the run has none of its own', () => {
    assert.equal(toContainerSpec(request, { network: 'bridge' }).HostConfig?.NetworkMode, 'none');
    assert.equal(toContainerSpec(request, { network: 'internal' }, { runId: 'run-7' }).HostConfig?.NetworkMode, 'none');
  });

  it('joins `none` or a named network as configured, shared by every run', () => {
    for (const network of ['none', 'host', 'ci-net']) {
      assert.equal(toContainerSpec(request, { network }, { runId: 'run-7' }).HostConfig?.NetworkMode, network);
      assert.equal(toContainerSpec(request, { network }).HostConfig?.NetworkMode, network);
    }
  });

  it('drops NET_RAW (no raw sockets, no ARP or ICMP spoofing) and adds no capability', () => {
    for (const network of ['bridge', 'none']) {
      const host = toContainerSpec(request, { network }, ownNetwork).HostConfig;
      assert.deepEqual(host?.CapDrop, ['NET_RAW']);
      assert.equal(host?.CapAdd, undefined);
      assert.equal(host?.Privileged, false);
    }
  });
});

describe('networkMode', () => {
  it('reads PISTAGES_NETWORK', () => {
    assert.deepEqual(networkMode('bridge'), { own: true, internal: false });
    assert.deepEqual(networkMode('internal'), { own: true, internal: true });
    assert.deepEqual(networkMode('none'), { own: false, name: 'none' });
    assert.deepEqual(networkMode('host'), { own: false, name: 'host' });
    assert.deepEqual(networkMode('my-net'), { own: false, name: 'my-net' });
  });

  it('gives the run\'s network only with a mode of networks of their own', () => {
    assert.equal(containerNetwork('bridge', ownNetwork), ownNetwork.network);
    assert.equal(containerNetwork('my-net', ownNetwork), 'my-net');
  });
});
