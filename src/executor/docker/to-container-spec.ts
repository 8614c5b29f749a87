import type Dockerode from 'dockerode';
import type { ContainerSpecRequest, ExecRequest, RunResources, Workspace } from '../executor.ts';
import { scopeLabels } from './labels.ts';
import { containerNetwork } from './network-mode.ts';
import type { ContainerSpecOptions } from './options.ts';

/**
 * Step → container configuration, as a pure function so every security- and resource-relevant
 * decision is unit-tested without a daemon (the Woodpecker lesson).
 *
 * Requirements on images: they must provide `sh` (steps run as `sh -e -c`, and the keep-alive
 * process is a shell). Nothing else is needed: no `sleep`, no `/tmp`.
 */

export const WORKSPACE_DIR = '/workspace';

/**
 * Directory for step-output files: the group's outputs volume, a tmpfs (see outputsVolume).
 * A volume rather than a container tmpfs because the engine's archive API, which reads outputs
 * back without a second exec, cannot see into tmpfs mounts; created with the workspace, so a
 * container start costs nothing extra, and mode 1777, so non-root image users can write.
 */
export const OUTPUT_DIR = '/.pistages';
/** $PISTAGES_OUTPUT for a manual `docker exec`; each step exec gets its own fresh file. */
export const DEFAULT_OUTPUT_FILE = `${OUTPUT_DIR}/output`;

/** Printed by the keep-alive shell once it runs; startContainer waits for it (see readiness.ts). */
export const READY_MARKER = 'pistages-container-ready';

/**
 * The container's main process only keeps it alive for execs. It blocks reading its open but
 * never-written stdin, so the image needs no `sleep`; `sleep` is only a fallback if stdin closes.
 * It runs under the engine's init (PID 1), which reaps orphaned step processes and forwards signals.
 */
export const KEEP_ALIVE_COMMAND = `echo ${READY_MARKER}; read -r _ || :; while :; do sleep 3600; done`;

const ENV_NAME = /^[^=\0]+$/;

/** `run`: the prepared run the container belongs to, whose network it joins (see network-mode.ts). */
export function toContainerSpec(request: ContainerSpecRequest, options: ContainerSpecOptions, run?: RunResources): Dockerode.ContainerCreateOptions {
  // the operator's defaults fill each field the step's resources leave unset
  const defaults = options.defaults;
  const resources = {
    cpus: request.resources?.cpus ?? defaults?.cpus,
    memoryBytes: request.resources?.memoryBytes ?? defaults?.memoryBytes,
    pids: request.resources?.pids ?? defaults?.pids,
  };
  return {
    Image: request.image,
    // Override any entrypoint: an image's own entrypoint (a server, a CLI) must not run or exit early.
    Entrypoint: ['sh', '-c', KEEP_ALIVE_COMMAND],
    Cmd: [],
    Env: toEnvList({ ...request.env, PISTAGES_OUTPUT: DEFAULT_OUTPUT_FILE }),
    WorkingDir: WORKSPACE_DIR,
    Labels: { ...scopeLabels(request.scope, options.labels), 'pistages.container': String(request.container) },
    OpenStdin: true,
    StdinOnce: false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    HostConfig: {
      Init: true,
      NetworkMode: containerNetwork(options.network, run),
      // The workspace is the only mount: no host binds, and never the Docker socket.
      Mounts: [
        { Type: 'volume', Source: request.workspace.id, Target: WORKSPACE_DIR, ReadOnly: false },
        { Type: 'volume', Source: outputsVolume(request.workspace).name, Target: OUTPUT_DIR, ReadOnly: false },
      ],
      Privileged: false,
      // setuid binaries in the image cannot raise privileges. Capabilities stay at Docker's default
      // set (no NET_ADMIN, SYS_ADMIN, ...), which CI commands such as `apt-get` or `chown` rely on,
      // less NET_RAW: no raw sockets, so no ARP or ICMP spoofing towards other containers or the
      // host. `ping` needs NET_RAW in many images and fails; a CI job rarely needs it.
      SecurityOpt: ['no-new-privileges:true'],
      CapDrop: ['NET_RAW'],
      AutoRemove: false,
      RestartPolicy: { Name: 'no' },
      ...(resources.cpus !== undefined ? { NanoCpus: Math.round(resources.cpus * 1e9) } : {}),
      // Swap equal to memory: the limit is the limit, a job cannot spill into swap.
      ...(resources.memoryBytes !== undefined ? { Memory: resources.memoryBytes, MemorySwap: resources.memoryBytes } : {}),
      ...(resources.pids !== undefined ? { PidsLimit: resources.pids } : {}),
    },
  };
}

/**
 * $PISTAGES_OUTPUT of a one-shot container: in the container's own /tmp (world-writable in every
 * image that has a shell), so the archive API still reads it after the command exited (an outputs
 * tmpfs volume is gone by then), with nothing to prepare before the start.
 */
export const ONE_SHOT_OUTPUT_FILE = '/tmp/pistages-output';

/**
 * A container whose own process is the command (see Executor.createOneShot): the same limits,
 * labels, network and workspace as toContainerSpec, without the keep-alive shell or the outputs
 * volume; its output is read by attaching, so the engine keeps no copy of it (log driver `none`).
 */
export function toOneShotSpec(request: ContainerSpecRequest, command: ExecRequest, options: ContainerSpecOptions, run?: RunResources): Dockerode.ContainerCreateOptions {
  const spec = toContainerSpec(request, options, run);
  const host = spec.HostConfig ?? {};
  return {
    ...spec,
    Entrypoint: ['sh', '-e', '-c', command.command],
    Env: toEnvList({ ...request.env, ...command.env, PISTAGES_OUTPUT: ONE_SHOT_OUTPUT_FILE }),
    OpenStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      ...host,
      Mounts: (host.Mounts ?? []).filter((mount) => mount.Target === WORKSPACE_DIR),
      LogConfig: { Type: 'none', Config: {} },
    },
  };
}

/**
 * The group's outputs volume, created and removed with its workspace: a local tmpfs, world-writable
 * and sticky, capped so outputs cannot eat the host's memory (each exec's file is at most 1 MiB).
 */
export function outputsVolume(workspace: Workspace): { name: string; driverOpts: Record<string, string> } {
  return { name: `${workspace.id}-outputs`, driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'mode=1777,size=16m' } };
}

/** `KEY=VALUE` list in insertion order. A name the engine would misread is a programming error. */
export function toEnvList(env: Record<string, string>): string[] {
  return Object.entries(env).map(([name, value]) => {
    if (!ENV_NAME.test(name)) throw new Error(`invalid environment variable name ${JSON.stringify(name)}: it must be non-empty and contain no '=' or NUL`);
    if (value.includes('\0')) throw new Error(`environment variable ${name} contains a NUL byte, which a process environment cannot hold`);
    return `${name}=${value}`;
  });
}
