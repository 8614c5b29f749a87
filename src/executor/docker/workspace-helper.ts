import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { statusOf } from './engine-errors.ts';
import { directoriesArchive } from './tar-write.ts';

/**
 * An image with no files at all, made locally (never pulled). Its containers are created, never
 * started: the engine's archive API works on a stopped container and mounts its volumes, which
 * is all it takes to put files into a volume.
 */
export const HELPER_IMAGE = 'pistages/workspace-helper:1';

export interface HelperMount {
  volume: string;
  target: string;
}

/** Runs `work` with a stopped helper container that mounts `mounts`, and removes it afterwards. */
export async function withHelper<T>(
  docker: Dockerode,
  labels: Record<string, string>,
  mounts: HelperMount[],
  work: (helper: Dockerode.Container) => Promise<T>,
): Promise<T> {
  await ensureHelperImage(docker);
  const helper = await docker.createContainer({
    Image: HELPER_IMAGE,
    Cmd: ['/none'],
    Labels: { ...labels, 'pistages.role': 'workspace-helper' },
    NetworkDisabled: true,
    HostConfig: { NetworkMode: 'none', Mounts: mounts.map((m) => ({ Type: 'volume', Source: m.volume, Target: m.target })) },
  });
  try {
    return await work(helper);
  } finally {
    await helper.remove({ force: true }).catch((err: unknown) => {
      if (statusOf(err) !== 404) throw err;
    });
  }
}

async function ensureHelperImage(docker: Dockerode): Promise<void> {
  try {
    await docker.getImage(HELPER_IMAGE).inspect();
    return;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  const [repo, tag] = HELPER_IMAGE.split(':');
  const progress = await docker.importImage(Readable.from([directoriesArchive(['workspace'])], { objectMode: false }), { repo, tag, changes: ['CMD ["/none"]'] } as object);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(progress, (err: Error | null, events: { error?: string }[]) => {
      const failed = events?.find((e) => e.error !== undefined);
      if (err) reject(err);
      else if (failed) reject(new Error(`could not make the image ${HELPER_IMAGE}: ${failed.error}`));
      else resolve();
    });
  });
}
