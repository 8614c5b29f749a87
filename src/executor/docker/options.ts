import type Dockerode from 'dockerode';
import type { WorkspaceSource } from './workspace-seed.ts';

/** When startContainer fetches an image from its registry. */
export type PullPolicy = 'if-not-present' | 'always' | 'never';

export interface DockerExecutorOptions {
  docker: Dockerode;
  /**
   * PISTAGES_NETWORK: `bridge` (default: a bridge network of each run's own, removed with the run),
   * `internal` (the same without outbound access), `none`, or a network every run shares (`host`,
   * one the operator made). See network-mode.ts.
   */
  network: string;
  /**
   * `if-not-present`: pull only when the engine lacks the image (the result is cached for the
   * executor's lifetime, re-checked if the engine reports the image gone);
   * `always`: pull before every container start (fails if the registry is unreachable);
   * `never`: use local images only (`docker build`/`docker import` them first).
   */
  pullPolicy: PullPolicy;
  /** extra labels on every container and volume, e.g. to tell two servers sharing an engine apart */
  labels?: Record<string, string>;
  /**
   * what a new workspace starts with (a local run's work tree, or a host folder bound in);
   * default: an empty volume
   */
  workspaceSource?: WorkspaceSource;
  /** limits of a container whose step leaves them unset (PISTAGES_DEFAULT_*); default: none */
  defaults?: ContainerDefaults;
  /** operational messages (pulls, slow clean-up); never step output */
  log?: (message: string) => void;
}

/** The part of the options that shapes a container's configuration. */
export type ContainerSpecOptions = Pick<DockerExecutorOptions, 'network' | 'labels' | 'defaults'>;

/** The operator's per-container defaults, field by field; an undefined field sets no limit. */
export interface ContainerDefaults {
  memoryBytes?: number | undefined;
  cpus?: number | undefined;
  pids?: number | undefined;
}

/** The defaults from the settings that hold them (the server's Config, `pistages run`'s settings). */
export function containerDefaults(settings: { defaultMemoryBytes: number | undefined; defaultCpus: number | undefined; defaultPids: number | undefined }): ContainerDefaults {
  return { memoryBytes: settings.defaultMemoryBytes, cpus: settings.defaultCpus, pids: settings.defaultPids };
}
