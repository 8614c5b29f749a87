import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { causeOf, describeEngine, engineError } from './engine-errors.ts';
import { objectName, runLabels } from './labels.ts';
import { directoriesArchive } from './tar-write.ts';
import { withHelper } from './workspace-helper.ts';

/**
 * Where a group's workspace volume gets its starting contents (DockerExecutorOptions.workspaceSource).
 * createVolume makes the volume `name`, already filled; dispose removes what the source itself
 * holds, after every workspace made from it was removed. Both are safe to call twice.
 */
export interface WorkspaceSource {
  createVolume(name: string, labels: Record<string, string>): Promise<void>;
  dispose(): Promise<void>;
}

/** A fresh tar stream of the tree each time it is called. */
export type ArchiveSource = () => AsyncIterable<Buffer> | Iterable<Buffer>;

export interface SeedOptions {
  runId: string;
  job: string;
  /** extra labels (owner host and pid) on the seed's volume and helper containers */
  labels: Record<string, string>;
  archive: ArchiveSource;
  log: (message: string) => void;
  /** copy the tree into every workspace without trying overlays (to measure or test that path) */
  copyOnly?: boolean;
}

const SEED_DIR = '/seed';
const TREE = 'tree';

/**
 * The tree goes into the engine once, into a run-wide seed volume. Each workspace is then an
 * overlay volume (local driver) whose lower layer is that tree and whose upper layer is its own
 * folder in the seed volume: a group sees a private, writable copy that cost nothing to make.
 * Where the engine cannot mount overlays (rootless engines, some kernels) the first workspace
 * finds out, and every workspace gets a full copy of the tree instead.
 */
export async function seedWorkspaces(docker: Dockerode, options: SeedOptions): Promise<WorkspaceSource> {
  const where = describeEngine(docker.modem);
  const labels = runLabels(options.runId, options.job, options.labels);
  const seedVolume = objectName([options.runId, 'seed'], suffix());
  let lower: string | undefined;
  try {
    await docker.createVolume({ Name: seedVolume, Labels: labels });
    await withHelper(docker, labels, [{ volume: seedVolume, target: SEED_DIR }], async (helper) => {
      await helper.putArchive(directoriesArchive([TREE]), { path: SEED_DIR });
      await helper.putArchive(Readable.from(options.archive(), { objectMode: false }), { path: `${SEED_DIR}/${TREE}` });
    });
    const mountpoint = ((await docker.getVolume(seedVolume).inspect()) as { Mountpoint?: string }).Mountpoint ?? '';
    // overlay options are comma- and colon-separated: a path holding either cannot be one
    if (mountpoint.startsWith('/') && !/[,:]/.test(mountpoint)) lower = mountpoint;
  } catch (err) {
    // the seeding error is the one to report; a volume that cannot go now is labelled for prune
    await removeVolume(docker, seedVolume).catch(() => undefined);
    throw engineError('copy the work tree into the engine', err, where);
  }

  let overlay: Promise<boolean> | undefined = lower === undefined || options.copyOnly ? Promise.resolve(false) : undefined;
  const overlayVolume = async (name: string, volumeLabels: Record<string, string>): Promise<void> => {
    const layer = `ws/${name}`;
    await withHelper(docker, labels, [{ volume: seedVolume, target: SEED_DIR }], (helper) =>
      helper.putArchive(directoriesArchive([layer, `${layer}/upper`, `${layer}/work`]), { path: SEED_DIR }),
    );
    const o = `lowerdir=${lower}/${TREE},upperdir=${lower}/${layer}/upper,workdir=${lower}/${layer}/work`;
    await docker.createVolume({ Name: name, Labels: volumeLabels, Driver: 'local', DriverOpts: { type: 'overlay', device: 'overlay', o } });
  };
  const firstOverlay = async (name: string, volumeLabels: Record<string, string>): Promise<boolean> => {
    await overlayVolume(name, volumeLabels);
    try {
      // asking for a path inside a volume mounts it, so a refused overlay shows here
      await withHelper(docker, labels, [{ volume: name, target: '/workspace' }], async (probe) => {
        const answer = (await probe.infoArchive({ path: '/workspace' })) as NodeJS.ReadableStream;
        answer.resume(); // an unread answer would hold its socket, and the process, open
      });
      return true;
    } catch (err) {
      options.log(`the engine cannot mount overlay workspaces (${causeOf(err)}); copying the work tree into each workspace instead`);
      await removeVolume(docker, name);
      return false;
    }
  };
  const copiedVolume = async (name: string, volumeLabels: Record<string, string>): Promise<void> => {
    await docker.createVolume({ Name: name, Labels: volumeLabels });
    await withHelper(docker, labels, [{ volume: name, target: '/workspace' }], (helper) =>
      helper.putArchive(Readable.from(options.archive(), { objectMode: false }), { path: '/workspace' }),
    );
  };

  return {
    async createVolume(name, volumeLabels) {
      try {
        if (overlay === undefined) {
          overlay = firstOverlay(name, volumeLabels);
          if (await overlay) return;
        } else if (await overlay) {
          await overlayVolume(name, volumeLabels);
          return;
        }
        await copiedVolume(name, volumeLabels);
      } catch (err) {
        throw engineError(`fill workspace volume ${name} with the work tree`, err, where);
      }
    },
    async dispose() {
      await removeVolume(docker, seedVolume).catch((err: unknown) => {
        throw engineError(`remove the work tree's volume ${seedVolume}`, err, where);
      });
    },
  };
}

/**
 * `--bind`: every workspace is the host folder `hostDir` itself, read-write, shared by all groups.
 * The engine must see that path (an engine on this machine, or a folder its VM shares).
 */
export function bindWorkspaces(docker: Dockerode, hostDir: string): WorkspaceSource {
  return {
    async createVolume(name, labels) {
      try {
        await docker.createVolume({ Name: name, Labels: labels, Driver: 'local', DriverOpts: { type: 'none', o: 'bind', device: hostDir } });
      } catch (err) {
        throw engineError(`bind ${hostDir} as workspace volume ${name}`, err, describeEngine(docker.modem));
      }
    },
    async dispose() {},
  };
}

async function removeVolume(docker: Dockerode, name: string): Promise<void> {
  try {
    await docker.getVolume(name).remove();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
}

function suffix(): string {
  return randomBytes(4).toString('hex');
}
