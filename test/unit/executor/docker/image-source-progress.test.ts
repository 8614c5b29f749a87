import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import Docker from 'dockerode';
import type Dockerode from 'dockerode';
import { ExecutorError } from '../../../../src/executor/executor.ts';
import { ImageSource } from '../../../../src/executor/docker/image-source.ts';
import type { PullPolicy } from '../../../../src/executor/docker/options.ts';

/**
 * ImageSource's pull progress with a fake engine: `pull` answers with a pull stream the test
 * writes (JSON lines, parsed by docker-modem's real followProgress), every image is missing.
 */
function engine(): { docker: Dockerode; streams: PassThrough[] } {
  const streams: PassThrough[] = [];
  const docker = {
    getImage: () => ({ inspect: async () => Promise.reject(Object.assign(new Error('no such image'), { statusCode: 404 })) }),
    pull: async () => {
      const s = new PassThrough();
      streams.push(s);
      return s;
    },
    modem: new Docker().modem,
  } as unknown as Dockerode;
  return { docker, streams };
}

function source(policy: PullPolicy, docker: Dockerode, clock: { now: number }, log: string[] = []): ImageSource {
  return new ImageSource(docker, policy, 'unix:///fake.sock', (m) => log.push(m), { everyMs: 1000, now: () => clock.now });
}

const send = (s: PassThrough, event: object): boolean => s.write(`${JSON.stringify(event)}\n`);

async function until(what: string, condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(condition(), what);
}

test('a shared pull tells every caller waiting for it; one joining late first hears the latest line', async () => {
  const { docker, streams } = engine();
  const clock = { now: 0 };
  const images = source('if-not-present', docker, clock);
  const first: string[] = [];
  const second: string[] = [];
  const a = images.ensure('app:1', new AbortController().signal, (l) => first.push(l));
  await until('the pull started', () => streams.length === 1);
  const s = streams[0] as PassThrough;
  clock.now = 1500;
  send(s, { status: 'Downloading', id: 'l1', progressDetail: { current: 2_000_000, total: 4_000_000 } });
  await until('a progress line', () => first.length === 2);
  const b = images.ensure('app:1', new AbortController().signal, (l) => second.push(l));
  clock.now = 3000;
  send(s, { status: 'Pull complete', id: 'l1' });
  s.end();
  await Promise.all([a, b]);
  assert.equal(streams.length, 1, 'one pull for both');
  assert.deepEqual(first, ['pulling app:1', 'pulling app:1: 2.0 MB of 4.0 MB, 0/1 layers', 'pulling app:1: 4.0 MB of 4.0 MB, 1/1 layers', 'pulled app:1 in 3.0s']);
  assert.deepEqual(second, first.slice(1));
  // found now: a later start pulls nothing and hears nothing
  const third: string[] = [];
  await images.ensure('app:1', new AbortController().signal, (l) => third.push(l));
  assert.deepEqual(third, []);
});

test('a failed pull says only that it started; the error is the start\'s to report', async () => {
  for (const policy of ['if-not-present', 'always'] as const) {
    const { docker, streams } = engine();
    const lines: string[] = [];
    const pending = source(policy, docker, { now: 0 }).ensure('app:1', new AbortController().signal, (l) => lines.push(l));
    await until('the pull started', () => streams.length === 1);
    send(streams[0] as PassThrough, { error: 'manifest for app:1 not found', errorDetail: { message: 'manifest for app:1 not found' } });
    (streams[0] as PassThrough).end();
    await assert.rejects(pending, (err: unknown) => err instanceof ExecutorError && err.kind === 'image' && err.message.includes('manifest for app:1 not found'));
    assert.deepEqual(lines, ['pulling app:1'], policy);
  }
});

test('a watcher that throws does not fail the pull; the operator log says so', async () => {
  const { docker, streams } = engine();
  const log: string[] = [];
  const pending = source('always', docker, { now: 0 }, log).ensure('app:1', new AbortController().signal, () => {
    throw new Error('reader gone');
  });
  await until('the pull started', () => streams.length === 1);
  (streams[0] as PassThrough).end();
  await pending;
  assert.ok(log.some((m) => m.includes('could not pass on pull progress: reader gone')), log.join('\n'));
});
