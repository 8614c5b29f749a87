import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { start } from '../support/cli-process.ts';

/**
 * `pistages run` applies the same maxima as a server (PISTAGES_MAX_*): a job above one is refused
 * before the engine is touched, with exit 2 and the position of the value.
 */
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pistages-limits-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const pistages = (args: string[], env: NodeJS.ProcessEnv = {}) => start(args, { cwd: dir, env }).exited(60_000);

describe('pistages run within the maxima', () => {
  it('a job asking for more memory than PISTAGES_MAX_MEMORY exits 2 naming the variable', async () => {
    await writeFile(join(dir, 'greedy.yaml'), 'name: Greedy\nimage: alpine\nresources:\n  memory: 99g\nrun: make\n');
    const result = await pistages(['run', 'greedy.yaml']);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr, "greedy.yaml:4:11: resources.memory is 99g, more than this server's maximum of 16g (PISTAGES_MAX_MEMORY); ask for less\n");
    const lowered = await pistages(['run', 'greedy.yaml'], { PISTAGES_MAX_MEMORY: 'off', DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    assert.doesNotMatch(lowered.stderr, /PISTAGES_MAX_MEMORY/, 'with no maximum the job gets past the check');
  });

  it('a file larger than PISTAGES_MAX_JOB_SIZE exits 2 before it is parsed', async () => {
    await writeFile(join(dir, 'long.yaml'), `name: Long\nimage: alpine\nrun: echo ${'x'.repeat(2000)}\n  bad: [yaml\n`);
    const result = await pistages(['run', 'long.yaml'], { PISTAGES_MAX_JOB_SIZE: '1kb' });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^long\.yaml:1:1: the file is .*more than this server's maximum of 1k \(PISTAGES_MAX_JOB_SIZE\)/);
    assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, 'one problem: the file was not parsed');
  });
});
