import type Dockerode from 'dockerode';
import { MANAGED_LABEL, RUN_LABEL } from '../../src/executor/docker/labels.ts';

/**
 * Containers, volumes and networks labelled `pistages.managed=true` that belong to one of `runIds`
 * (other tests may share the engine, so only these runs count), as `kind name (state)` lines.
 */
export async function leftoversOf(docker: Dockerode, runIds: Iterable<string>): Promise<string[]> {
  const ids = new Set(runIds);
  const filters = { label: [`${MANAGED_LABEL}=true`] };
  const ours = (labels: Record<string, string> | null | undefined): boolean => ids.has(labels?.[RUN_LABEL] ?? '');
  const containers = (await docker.listContainers({ all: true, filters })).filter((c) => ours(c.Labels));
  const { Volumes } = await docker.listVolumes({ filters });
  const networks = (await docker.listNetworks({ filters })).filter((n) => ours(n.Labels));
  return [
    ...containers.map((c) => `container ${c.Names.join(',')} (${c.State})`),
    ...(Volumes ?? []).filter((v) => ours(v.Labels)).map((v) => `volume ${v.Name}`),
    ...networks.map((n) => `network ${n.Name}`),
  ];
}
