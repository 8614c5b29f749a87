import type Dockerode from 'dockerode';
import type { PullPolicy } from '../config.ts';
import { closest } from '../pipeline/suggest.ts';
import type { Plan } from '../pipeline/types.ts';

/** What `pullMissingImages` needs of dockerode. */
export type ImageEngine = Pick<Dockerode, 'getImage' | 'pull' | 'listImages'> & { modem: Pick<Dockerode['modem'], 'followProgress'> };

interface PullEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
}

/**
 * Before a local run starts, pulls the plan's images the engine does not have, one at a time,
 * printing progress (`pulling alpine:3: 2/3 layers, 1.2/3.4 MB`) at most every `everyMs`: the
 * executor would pull them too, but silently, so a first run looks stuck. Failures are left to the
 * executor, which reports them on the step that needs the image; an image that cannot be had gets
 * the engine's similar images named (a typo in a tag). With `never` nothing is pulled, with `always`
 * the executor pulls each image itself.
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
    say(`pulling ${image}`);
    try {
      const stream = (await docker.pull(image, { abortSignal: signal })) as NodeJS.ReadableStream;
      const layers = new Map<string, { current: number; total: number; done: boolean }>();
      let shownAt = Date.now();
      await new Promise<void>((resolve, reject) => {
        docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()), (event: PullEvent) => {
          if (event.error) return;
          if (event.id !== undefined && event.progressDetail !== undefined) {
            const layer = layers.get(event.id) ?? { current: 0, total: 0, done: false };
            if (event.progressDetail.total) layer.total = event.progressDetail.total;
            if (event.progressDetail.current !== undefined) layer.current = event.progressDetail.current;
            if (event.status === 'Pull complete' || event.status === 'Already exists') layer.done = true;
            layers.set(event.id, layer);
          }
          if (Date.now() - shownAt >= everyMs) {
            shownAt = Date.now();
            say(`pulling ${image}: ${progressText(layers)}`);
          }
        });
      });
      say(`pulled ${image}`);
    } catch (error) {
      if (signal.aborted) return;
      say(`could not pull ${image} (${(error as Error).message}); the step that needs it will say why`);
      await suggest(docker, image, 'is not on this engine', say);
    }
  }
}

function progressText(layers: Map<string, { current: number; total: number; done: boolean }>): string {
  const all = [...layers.values()];
  const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
  const current = all.reduce((sum, l) => sum + (l.done ? l.total : l.current), 0);
  const total = all.reduce((sum, l) => sum + l.total, 0);
  return `${all.filter((l) => l.done).length}/${all.length} layers, ${mb(current)}/${mb(total)} MB`;
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
