import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHmac } from 'node:crypto';
import { BUSYBOX_IMAGE } from '../support/images.ts';
import { githubWorld, type GithubWorld } from '../support/github-world.ts';
import { startPistages, WEBHOOK_SECRET, type PistagesServer } from '../support/github-server.ts';
import { waitFor } from '../support/wait.ts';
import { pushPayload, signedDelivery, type Delivery } from '../support/webhook-payloads.ts';
import { ZERO_SHA, type GitRepo } from '../support/git-fixture.ts';

/**
 * Webhook faults: a flood of signed deliveries with duplicates, some of them concurrent, must give
 * exactly one run per distinct delivery; a corpus of malformed deliveries must each get a clear
 * 4xx (or a delivery recorded as failed with why), store nothing half-way, and leave /healthz
 * answering. Prints one summary line per fault. FAULT_DELIVERIES sets the flood's size (default 1,000).
 */

const TOTAL = Number(process.env.FAULT_DELIVERIES ?? 1000);
const DUPLICATE_SHARE = 0.2;
const summary: string[] = [];
/** GitHub's signature of any body, the empty one included */
const sign = async (secret: string, body: string): Promise<string> => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('webhook faults', () => {
  let world: GithubWorld;
  let server: PistagesServer;
  let repo: GitRepo;
  let sha: string;
  let payload: object;

  before(async () => {
    world = await githubWorld();
    const created = await world.git.repo('acme/flood', { '.pistages/job.yaml': `name: Job\nimage: ${BUSYBOX_IMAGE}\nrun: echo hi\n` });
    repo = created.repo;
    sha = created.sha;
    await world.fake.addRepo(repo, { installationId: 2 });
    // no worker: the runs are counted, not executed
    server = await startPistages(world, { worker: false });
    payload = await pushPayload(repo, { before: ZERO_SHA, after: sha, cloneUrl: world.fake.cloneUrl(repo.fullName), installationId: 2 });
  });

  after(async () => {
    await server?.close();
    await world?.dispose();
    console.log(['', 'fault                                         injected   lost / extra', ...summary].join('\n'));
  });

  const healthy = async (): Promise<boolean> => (await fetch(`${server.url}/healthz`)).ok;

  it(`${TOTAL} signed deliveries, ${DUPLICATE_SHARE * 100}% duplicates, some concurrent: exactly one run per distinct delivery`, async () => {
    const distinct = Math.round(TOTAL * (1 - DUPLICATE_SHARE));
    const ids = Array.from({ length: distinct }, (_, i) => `flood-${i}`);
    const sends: string[] = [...ids];
    // every fifth delivery is sent twice: half of those at once, half later
    for (let i = 0; sends.length < TOTAL; i += 4) sends.splice(i % 2 === 0 ? i + 1 : sends.length, 0, ids[i % distinct] as string);
    const statuses = new Map<string, number[]>();
    const CONCURRENCY = 16;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < sends.length) {
        const id = sends[next++] as string;
        const answer = await server.deliver(await signedDelivery('push', payload, WEBHOOK_SECRET, id));
        statuses.set(id, [...(statuses.get(id) ?? []), answer.status]);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    assert.ok(await healthy());
    for (const [id, answers] of statuses) {
      assert.equal(answers.filter((s) => s === 202).length, 1, `${id}: one acceptance, got ${answers.join(',')}`);
      assert.ok(answers.every((s) => s === 202 || s === 200), `${id}: ${answers.join(',')}`);
    }
    const runsByDelivery = await waitFor('every delivery processed', async () => {
      const processed = await server.services.deliveries.list({ outcome: 'accepted', repo: 'acme/flood' }, 100_000);
      if (processed.length < distinct) return undefined;
      const counts = new Map<string, number>();
      let cursor: string | undefined;
      do {
        const page = await server.services.runs.list({ repo: 'acme/flood' }, { limit: 500, ...(cursor !== undefined && { cursor }) });
        for (const run of page.runs) counts.set(run.deliveryId ?? '?', (counts.get(run.deliveryId ?? '?') ?? 0) + 1);
        cursor = page.next;
      } while (cursor !== undefined);
      return counts;
    }, { timeoutMs: 600_000, intervalMs: 1000 });
    const extra = [...runsByDelivery.values()].filter((n) => n > 1).length;
    const lost = ids.filter((id) => !runsByDelivery.has(id)).length;
    summary.push(`${`${TOTAL} deliveries, ${TOTAL - distinct} duplicates`.padEnd(45)} ${String(TOTAL).padStart(8)}   ${lost} / ${extra}`);
    assert.equal(lost, 0);
    assert.equal(extra, 0);
    assert.equal([...runsByDelivery.values()].reduce((a, b) => a + b, 0), distinct);
  });

  it('answers every malformed delivery with a clear 4xx or a failed record, and keeps answering /healthz', async () => {
    const good = await signedDelivery('push', payload, WEBHOOK_SECRET, 'corpus-good');
    const signed = async (body: string, headers: Record<string, string> = {}, id = `corpus-${Math.random().toString(36).slice(2)}`): Promise<Delivery> => ({
      body,
      headers: { ...good.headers, 'x-github-delivery': id, 'x-hub-signature-256': await sign(WEBHOOK_SECRET, body), ...headers },
    });
    const without = (name: string): Record<string, string> => Object.fromEntries(Object.entries(good.headers).filter(([k]) => k !== name));
    const corpus: { name: string; delivery: Delivery; status: number; recorded?: 'failed' | 'ignored' | 'accepted' }[] = [
      { name: 'no signature', delivery: { body: good.body, headers: without('x-hub-signature-256') }, status: 401 },
      { name: 'empty signature', delivery: { body: good.body, headers: { ...good.headers, 'x-hub-signature-256': '' } }, status: 401 },
      { name: 'sha1 signature', delivery: { body: good.body, headers: { ...good.headers, 'x-hub-signature-256': 'sha1=abc' } }, status: 401 },
      { name: 'truncated signature', delivery: { body: good.body, headers: { ...good.headers, 'x-hub-signature-256': (good.headers['x-hub-signature-256'] ?? '').slice(0, 20) } }, status: 401 },
      { name: 'signature of another secret', delivery: { body: good.body, headers: { ...good.headers, 'x-hub-signature-256': await sign('another-secret-0123456789', good.body) } }, status: 401 },
      { name: 'body changed after signing', delivery: { body: `${good.body} `, headers: good.headers }, status: 401 },
      { name: 'no event header', delivery: { body: good.body, headers: without('x-github-event') }, status: 400 },
      { name: 'no delivery header', delivery: { body: good.body, headers: without('x-github-delivery') }, status: 400 },
      { name: 'delivery id with a path', delivery: await signed(good.body, {}, '../../etc/passwd'), status: 400 },
      { name: 'event name with spaces', delivery: await signed(good.body, { 'x-github-event': 'push; drop' }), status: 400 },
      { name: 'form-encoded', delivery: await signed(`payload=${encodeURIComponent(good.body)}`, { 'content-type': 'application/x-www-form-urlencoded' }), status: 415 },
      { name: 'not JSON', delivery: await signed('{"ref": '), status: 400 },
      { name: 'NUL bytes', delivery: await signed('\u0000\u0000'), status: 400 },
      { name: 'empty body', delivery: await signed(''), status: 400 },
      { name: 'JSON array', delivery: await signed('[1,2,3]'), status: 202, recorded: 'failed' },
      { name: 'JSON number', delivery: await signed('42'), status: 202, recorded: 'failed' },
      { name: 'push without repository', delivery: await signed(JSON.stringify({ ...payload, repository: undefined })), status: 202, recorded: 'failed' },
      { name: 'push with a numeric ref', delivery: await signed(JSON.stringify({ ...payload, ref: 7 })), status: 202, recorded: 'failed' },
      { name: 'pull_request without head', delivery: await signed(JSON.stringify({ action: 'opened', pull_request: { base: {} }, repository: (payload as { repository: unknown }).repository }), { 'x-github-event': 'pull_request' }), status: 202, recorded: 'failed' },
      { name: 'check_run without check_run', delivery: await signed(JSON.stringify({ action: 'rerequested', repository: (payload as { repository: unknown }).repository }), { 'x-github-event': 'check_run' }), status: 202, recorded: 'failed' },
      { name: 'unknown event', delivery: await signed('{}', { 'x-github-event': 'gollum' }), status: 202, recorded: 'ignored' },
      { name: 'deeply nested JSON', delivery: await signed(`${'['.repeat(5000)}${']'.repeat(5000)}`), status: 202, recorded: 'failed' },
      { name: 'huge string field', delivery: await signed(JSON.stringify({ ...payload, ref: 'x'.repeat(2_000_000) })), status: 202, recorded: 'accepted' },
    ];
    let bad = 0;
    for (const entry of corpus) {
      const answer = await server.deliver(entry.delivery);
      const ok = answer.status === entry.status && typeof answer.body.message === 'string' || answer.status === entry.status && answer.status === 202;
      if (!ok) bad++;
      assert.equal(answer.status, entry.status, `${entry.name}: ${JSON.stringify(answer.body)}`);
      if (answer.status >= 400) assert.ok(String(answer.body.message).length > 10, `${entry.name}: says what to do`);
      assert.ok(await healthy(), `/healthz after ${entry.name}`);
    }
    for (const entry of corpus.filter((e) => e.recorded !== undefined)) {
      const id = entry.delivery.headers['x-github-delivery'] as string;
      const record = await waitFor(`${entry.name} processed`, async () => {
        const found = await server.services.deliveries.get(id);
        return found && found.outcome !== 'received' ? found : undefined;
      }, { timeoutMs: 120_000 });
      assert.equal(record.outcome, entry.recorded, `${entry.name}: ${record.reason ?? ''}`);
      assert.ok((record.reason ?? '').length > 5, `${entry.name}: the record says why`);
      assert.deepEqual(record.runIds, [], `${entry.name}: no run`);
    }
    const refused = corpus.filter((e) => e.status >= 400).map((e) => e.delivery.headers['x-github-delivery']);
    for (const id of refused) if (typeof id === 'string' && /^[\w.-]+$/.test(id) && id !== 'corpus-good') assert.equal(await server.services.deliveries.get(id), null, `refused ${id} stored nothing`);
    summary.push(`${`${corpus.length} malformed webhook deliveries`.padEnd(45)} ${String(corpus.length).padStart(8)}   ${bad} answered wrongly`);
  });
});
