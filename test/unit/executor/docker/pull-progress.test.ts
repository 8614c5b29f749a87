import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import Docker from 'dockerode';
import { followPull, PullProgress, type PullEvent } from '../../../../src/executor/docker/pull-progress.ts';

/** A pull of two layers as the engine streams it (abridged from `docker pull` of a small image). */
const RECORDED: PullEvent[] = [
  { status: 'Pulling from library/alpine', id: '3.20' },
  { status: 'Pulling fs layer', id: 'l1', progressDetail: {} },
  { status: 'Already exists', id: 'l0', progressDetail: {} },
  { status: 'Downloading', id: 'l1', progressDetail: { current: 12_300_000, total: 48_000_000 } },
  { status: 'Downloading', id: 'l1', progressDetail: { current: 30_000_000, total: 48_000_000 } },
  { status: 'Verifying Checksum', id: 'l1', progressDetail: {} },
  { status: 'Download complete', id: 'l1', progressDetail: {} },
  { status: 'Extracting', id: 'l1', progressDetail: { current: 1_000_000, total: 48_000_000 } },
  { status: 'Pull complete', id: 'l1', progressDetail: {} },
  { status: 'Digest: sha256:0123' },
  { status: 'Status: Downloaded newer image for alpine:3.20' },
];

/** Feeds events one per "second" of a fake clock; returns the lines said. */
function replay(events: PullEvent[], everyMs: number, stepMs = 1000): string[] {
  let now = 0;
  const lines: string[] = [];
  const progress = new PullProgress({ image: 'alpine:3.20', say: (l) => lines.push(l), now: () => now, everyMs });
  for (const event of events) {
    now += stepMs;
    progress.event(event);
  }
  now += 200;
  progress.done();
  return lines;
}

test('says the pull at once, its bytes and layers as they change, and how long it took', () => {
  assert.deepEqual(replay(RECORDED, 0), [
    'pulling alpine:3.20',
    'pulling alpine:3.20: 0/1 layers',
    'pulling alpine:3.20: 1/2 layers',
    'pulling alpine:3.20: 12.3 MB of 48.0 MB, 1/2 layers',
    'pulling alpine:3.20: 30.0 MB of 48.0 MB, 1/2 layers',
    'pulling alpine:3.20: 48.0 MB of 48.0 MB, 1/2 layers',
    'pulling alpine:3.20: 48.0 MB of 48.0 MB, 2/2 layers',
    'pulled alpine:3.20 in 11.2s',
  ]);
});

test('progress lines come at most every everyMs; a quick pull says only its start and end', () => {
  const lines = replay(RECORDED, 3000);
  assert.deepEqual(lines, [
    'pulling alpine:3.20',
    'pulling alpine:3.20: 1/2 layers', // at 3 s
    'pulling alpine:3.20: 48.0 MB of 48.0 MB, 1/2 layers', // at 6 s
    'pulling alpine:3.20: 48.0 MB of 48.0 MB, 2/2 layers', // at 9 s
    'pulled alpine:3.20 in 11.2s',
  ]);
  assert.deepEqual(replay(RECORDED, 60_000, 10), ['pulling alpine:3.20', 'pulled alpine:3.20 in 0.3s']);
});

test('an error event adds no line: the step that needed the image says why, once', () => {
  const lines = replay([{ status: 'Pulling fs layer', id: 'l1' }, { error: 'manifest unknown', errorDetail: { message: 'manifest unknown' } }], 60_000);
  assert.deepEqual(lines.slice(0, -1), ['pulling alpine:3.20']);
});

/** A pull stream as the engine sends it: one JSON object per line, through docker-modem's real parser. */
function stream(events: PullEvent[]): PassThrough {
  const s = new PassThrough();
  for (const e of events) s.write(`${JSON.stringify(e)}\r\n`);
  s.end();
  return s;
}

test('followPull reads a recorded stream through docker-modem to its end, event by event', async () => {
  const seen: PullEvent[] = [];
  await followPull(new Docker().modem, stream(RECORDED), { event: (e) => seen.push(e) });
  assert.deepEqual(seen, RECORDED);
});

test('followPull rejects with the engine\'s words when the stream reports a failure', async () => {
  const failing = [...RECORDED.slice(0, 4), { errorDetail: { message: 'unauthorized: authentication required' }, error: 'unauthorized: authentication required' }];
  await assert.rejects(followPull(new Docker().modem, stream(failing), { event: () => undefined }), /^Error: unauthorized: authentication required$/);
});
