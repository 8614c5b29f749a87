import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { directoriesArchive, padding, tarEnd, tarHeader } from '../../src/executor/docker/tar-write.ts';
import { seedWorkspaces, type WorkspaceSource } from '../../src/executor/docker/workspace-seed.ts';
import { BUSYBOX_IMAGE, ensureTestImage } from '../support/images.ts';

/**
 * Workspaces seeded from one tree on the real engine, in both ways: overlays on one copy (the
 * default) and a full copy each (engines without overlays). Either way every workspace holds the
 * tree, is private to its group, and nothing of the seed outlives dispose().
 */

const docker = new Docker();
const RUN = `seed-test-${randomBytes(3).toString('hex')}`;
const LABEL = `pistages.run=${RUN}`;

function* tree(): Generator<Buffer> {
  const file = (name: string, text: string, mode = 0o644): Buffer[] => {
    const body = Buffer.from(text);
    return [tarHeader({ name, type: 'file', mode, size: body.length }), body, padding(body.length)];
  };
  yield directoriesArchive(['src']).subarray(0, 512);
  yield* file('src/test.sh', 'echo from the tree\n', 0o755);
  yield* file('README', 'readme\n');
  yield tarEnd();
}

/** Runs `command` in a throwaway container with `volume` at /workspace; its output. */
async function inWorkspace(volume: string, command: string): Promise<string> {
  const container = await docker.createContainer({
    Image: BUSYBOX_IMAGE,
    Cmd: ['sh', '-c', command],
    Tty: true, // raw output, no stream framing
    WorkingDir: '/workspace',
    Labels: { 'pistages.run': RUN },
    HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'volume', Source: volume, Target: '/workspace' }] },
  });
  try {
    await container.start();
    await container.wait();
    return (await container.logs({ stdout: true, stderr: true })).toString('utf8').replace(/\r\n/g, '\n');
  } finally {
    await container.remove({ force: true });
  }
}

async function leftovers(): Promise<string[]> {
  const { Volumes } = await docker.listVolumes({ filters: { label: [LABEL] } });
  const containers = await docker.listContainers({ all: true, filters: { label: [LABEL] } });
  return [...(Volumes ?? []).map((v) => v.Name), ...containers.map((c) => c.Id)];
}

describe('seedWorkspaces', { concurrency: false }, () => {
  before(async () => {
    await ensureTestImage(docker, BUSYBOX_IMAGE);
  });
  after(async () => {
    for (const name of (await docker.listVolumes({ filters: { label: [LABEL] } })).Volumes ?? []) await docker.getVolume(name.Name).remove().catch(() => undefined);
  });

  for (const copyOnly of [false, true]) {
    it(`${copyOnly ? 'a full copy per workspace' : 'overlays on one copy'}: each workspace holds the tree and is its own`, async () => {
      const messages: string[] = [];
      const source: WorkspaceSource = await seedWorkspaces(docker, { runId: RUN, job: 'seed test', labels: {}, archive: tree, log: (m) => messages.push(m), copyOnly });
      const names = [0, 1].map((i) => `pistages-${RUN}-${copyOnly ? 'copy' : 'ov'}-${i}`);
      try {
        await Promise.all(names.map((name) => source.createVolume(name, { 'pistages.run': RUN, 'pistages.managed': 'true' })));
        const [first, second] = names as [string, string];
        assert.match(await inWorkspace(first, 'sh src/test.sh; ls -l src/test.sh; echo changed > README; echo new > mine'), /from the tree[\s\S]*-rwxr-xr-x/);
        const other = await inWorkspace(second, 'cat README; ls');
        assert.match(other, /^readme$/m, 'a change in one workspace is not seen in another');
        assert.doesNotMatch(other, /mine/);
        assert.match(await inWorkspace(first, 'cat README mine'), /changed\s+new/, 'a workspace keeps its changes between containers');
        assert.deepEqual(messages, [], 'no fallback on this engine');
      } finally {
        for (const name of names) await docker.getVolume(name).remove().catch(() => undefined);
        await source.dispose();
      }
      assert.deepEqual(await leftovers(), []);
    });
  }
});
