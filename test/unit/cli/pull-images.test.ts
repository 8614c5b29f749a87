import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PassThrough } from 'node:stream';
import { pullMissingImages, similarImages, type ImageEngine } from '../../../src/cli/pull-images.ts';
import type { Plan } from '../../../src/pipeline/types.ts';

const plan = { groups: [{ name: 'a', steps: [{ image: 'have:1' }, { image: 'need:1' }] }, { name: 'b', steps: [{ image: 'need:1' }] }] } as unknown as Plan;

function engine(events: object[]): { docker: ImageEngine; pulled: string[] } {
  const pulled: string[] = [];
  const docker = {
    getImage: (name: string) => ({
      inspect: async () => {
        if (name === 'have:1') return {};
        throw Object.assign(new Error('no such image'), { statusCode: 404 });
      },
    }),
    listImages: async () => [{ RepoTags: ['have:1', 'need:2'] }, { RepoTags: ['<none>:<none>'] }],
    pull: async (name: string) => {
      pulled.push(name);
      return new PassThrough();
    },
    modem: {
      followProgress: (_stream: unknown, done: (err: Error | null) => void, onProgress: (event: object) => void) => {
        for (const event of events) onProgress(event);
        done(null);
      },
    },
  } as unknown as ImageEngine;
  return { docker, pulled };
}

test('pulls each missing image once, with byte and layer progress worded as in a server step\'s log', async () => {
  const { docker, pulled } = engine([
    { status: 'Downloading', id: 'l1', progressDetail: { current: 1_000_000, total: 2_000_000 } },
    { status: 'Pull complete', id: 'l2', progressDetail: { total: 500_000 } },
  ]);
  const lines: string[] = [];
  await pullMissingImages(docker, plan, { policy: 'if-not-present', say: (l) => lines.push(l), signal: new AbortController().signal, everyMs: 0 });
  assert.deepEqual(pulled, ['need:1']);
  assert.deepEqual(lines.slice(0, -1), ['pulling need:1', 'pulling need:1: 1.0 MB of 2.0 MB, 0/1 layers', 'pulling need:1: 1.0 MB of 2.0 MB, 1/2 layers']);
  assert.match(lines.at(-1) ?? '', /^pulled need:1 in \d+\.\ds$/);
});

test('never and always leave pulling to the executor; never names similar local images', async () => {
  for (const policy of ['never', 'always'] as const) {
    const { docker, pulled } = engine([]);
    const lines: string[] = [];
    await pullMissingImages(docker, plan, { policy, say: (l) => lines.push(l), signal: new AbortController().signal });
    assert.deepEqual(pulled, [], policy);
    assert.deepEqual(lines, policy === 'never' ? ['image need:1 is not on this engine and the pull policy is never; similar local images: need:2'] : []);
  }
});

test('similar images: the same repository with another tag, or a close spelling', () => {
  const tags = ['pistages-test/busybox:1', 'pistages/git:local', 'alpine:3.19', 'registry:5000/team/app:2'];
  assert.deepEqual(similarImages('pistages-test/busybx:1', tags), ['pistages-test/busybox:1']);
  assert.deepEqual(similarImages('alpine:latest', tags), ['alpine:3.19']);
  assert.deepEqual(similarImages('registry:5000/team/app:1', tags), ['registry:5000/team/app:2']);
  assert.deepEqual(similarImages('postgres:16', tags), []);
});
