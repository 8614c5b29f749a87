import type Dockerode from 'dockerode';
import type { WorkspaceSource } from './workspace-seed.ts';

/** When startContainer fetches an image from its registry. */
export type PullPolicy = 'if-not-present' | 'always' | 'never';

export interface DockerExecutorOptions {
  docker: Dockerode;
  /**
   * Docker network every container joins: `bridge` (the server default, gives jobs internet),
   * `none` (tests, air-gapped runners), or the name of a user-defined network.
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
  /** operational messages (pulls, slow clean-up); never step output */
  log?: (message: string) => void;
}

/** The part of the options that shapes a container's configuration. */
export type ContainerSpecOptions = Pick<DockerExecutorOptions, 'network' | 'labels'>;
