import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { githubWorld, type GithubWorld } from '../support/github-world.ts';
import { startPistages, WEBHOOK_SECRET, type PistagesServer } from '../support/github-server.ts';
import { waitFor } from '../support/wait.ts';
import { pushPayload, signedDelivery } from '../support/webhook-payloads.ts';
import { ZERO_SHA } from '../support/git-fixture.ts';

/**
 * A repository's job files against the operator's maxima: a file asking for more than
 * PISTAGES_MAX_MEMORY, or larger than PISTAGES_MAX_JOB_SIZE, becomes a failed check run named after
 * it whose annotation names the variable; nothing of it is stored. No worker: nothing runs.
 */

const FILES = {
  '.pistages/greedy.yaml': 'name: Greedy\nimage: alpine\nresources:\n  memory: 99g\nrun: make\n',
  '.pistages/long.yaml': `name: Long\nimage: alpine\nrun: echo ${'x'.repeat(3000)}\n`,
  '.pistages/fits.yaml': 'name: Fits\nimage: alpine\nresources: {memory: 1g}\nrun: make\n',
};

describe('GitHub push of jobs above the maxima', () => {
  let world: GithubWorld;
  let server: PistagesServer;
  let sha: string;

  before(async () => {
    world = await githubWorld();
    const created = await world.git.repo('acme/limits', FILES);
    const repo = created.repo;
    sha = created.sha;
    await world.fake.addRepo(repo, { installationId: 9 });
    server = await startPistages(world, { worker: false, env: { PISTAGES_MAX_JOB_SIZE: '2kb' } });
    const payload = await pushPayload(repo, { before: ZERO_SHA, after: sha, cloneUrl: world.fake.cloneUrl(repo.fullName), installationId: 9 });
    assert.equal((await server.deliver(await signedDelivery('push', payload, WEBHOOK_SECRET, 'limits-1'))).status, 202);
  });

  after(async () => {
    await server?.close();
    await world?.dispose();
  });

  it('reports each file above a maximum as a failed check run naming the variable; the other job runs', async () => {
    const checks = await waitFor('check runs of the two refused files', () => {
      const runs = world.fake.checkRuns('acme/limits', sha).filter((r) => r.name.startsWith('.pistages/'));
      return runs.length === 2 && runs.every((r) => r.status === 'completed') ? runs : undefined;
    });
    const byName = new Map(checks.map((c) => [c.name, c]));
    type Annotation = { path: string; start_line: number; message: string };
    const greedy = byName.get('.pistages/greedy.yaml');
    assert.equal(greedy?.conclusion, 'failure');
    const [memory] = greedy?.output?.annotations as Annotation[];
    assert.equal(memory?.start_line, 4);
    assert.match(memory?.message ?? '', /resources\.memory is 99g, more than this server's maximum of 16g \(PISTAGES_MAX_MEMORY\)/);
    const long = byName.get('.pistages/long.yaml');
    assert.equal(long?.conclusion, 'failure');
    const [size] = long?.output?.annotations as Annotation[];
    assert.match(size?.message ?? '', /PISTAGES_MAX_JOB_SIZE/);

    const recorded = await waitFor('the delivery processed', async () => {
      const { deliveries } = await server.api<{ deliveries: { id: string; outcome: string; runIds: string[] }[] }>('/api/deliveries?repo=acme/limits');
      const found = deliveries.find((d) => d.id === 'limits-1');
      return found && found.outcome !== 'received' ? found : undefined;
    });
    assert.equal(recorded?.outcome, 'accepted');
    assert.equal(recorded?.runIds.length, 1, 'only the job within the maxima was started');
    const { runs } = await server.api<{ runs: { job: string }[] }>('/api/runs?repo=acme/limits');
    assert.deepEqual(runs.map((r) => r.job), ['Fits']);
    assert.deepEqual(world.fake.violations, []);
  });
});
