import type Dockerode from 'dockerode';
import type { PullPolicy } from '../config.ts';
import { closest } from '../pipeline/suggest.ts';
import type { Plan } from '../pipeline/types.ts';
import { followPull, PullProgress } from '../executor/docker/pull-progress.ts';

/** What `pullMissingImages` needs of dockerode. */
export type ImageEngine = Pick<Dockerode, 'getImage' | 'pull' | 'listImages'> & { modem: Pick<Dockerode['modem'], 'followProgress'> };

/**
 * Before a local run starts, pulls the plan's images the engine does not have, one at a time,
 * printing progress as a server step's log shows it (PullProgress: `pulling alpine:3: 12.3 MB of
 * 48.0 MB, 1/3 layers` at most every `everyMs`, then `pulled alpine:3 in 7.2s`), so the job's
 * output is not interleaved with it. Failures are left to the executor, which reports them on the
 * step that needs the image; an image that cannot be had gets the engine's similar images named.
 * With `never` nothing is pulled, with `always` the executor pulls each image itself (its progress
 * then shows in the step's log).
 */
export async function pullMissingImages(
  docker: ImageEngine,
  plan: Plan,
  options: { policy: PullPolicy; say: (line: string) => void; signal: AbortSignal; everyMs?: number },
): Promise<void> {
  const { policy, say, signal, everyMs = 1000 } = options;
  if (policy === 'always') return;
  const images = [...new Set(plan.groups.flatMap((g) => g.steps.map((s) => s.image)).filter((i) => i !== '' && !i.includes('{{')))];
  for (const image of images) {
    if (signal.aborted) return;
    if (await present(docker, image)) continue;
    if (policy === 'never') {
      await suggest(docker, image, 'is not on this engine and the pull policy is never', say);
      continue;
    }
    try {
      const progress = new PullProgress({ image, say, now: Date.now, everyMs });
      const stream = (await docker.pull(image, { abortSignal: signal })) as NodeJS.ReadableStream;
      await followPull(docker.modem, stream, progress);
      progress.done();
    } catch {
      // the step that needs the image says why, once; here only a hint at what the engine has
      if (signal.aborted) return;
      await suggest(docker, image, 'is not on this engine', say);
    }
  }
}

async function present(docker: ImageEngine, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (error) {
    // only a missing image is pulled here; any other engine trouble is the executor's to report
    return (error as { statusCode?: number }).statusCode !== 404;
  }
}

/** Names local images like `image` (same repository, other tag; or a close spelling), when there are any. */
async function suggest(docker: ImageEngine, image: string, why: string, say: (line: string) => void): Promise<void> {
  // a hint only: an engine that cannot list its images gets none, and the step still says what is wrong
  const tags = (await docker.listImages().catch(() => [])).flatMap((i) => i.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
  const similar = similarImages(image, tags);
  if (similar.length > 0) say(`image ${image} ${why}; similar local images: ${similar.join(', ')}`);
}

export function similarImages(image: string, tags: readonly string[]): string[] {
  const repo = (ref: string): string => (ref.lastIndexOf(':') > ref.lastIndexOf('/') ? ref.slice(0, ref.lastIndexOf(':')) : ref);
  const sameRepo = tags.filter((t) => repo(t) === repo(image) && t !== image);
  const near = closest(image, tags.filter((t) => t !== image));
  return [...new Set([...sameRepo, ...(near === undefined ? [] : [near])])].slice(0, 3);
}
