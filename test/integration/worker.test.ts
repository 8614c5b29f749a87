import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ExecutorError, type Executor } from '../../src/executor/executor.ts';
import { IMAGE, startWorld, type World } from '../support/worker-world.ts';
import { waitFor } from '../support/wait.ts';

/** End to end on one worker: real FerretDB (or MONGODB_URI), real Docker with network none. */
let world: World;

before(async () => {
  world = await startWorld();
});

after(async () => {
  await world.close();
});

const job = (run: string[], extra = ''): string =>
  `name: t\nimage: ${IMAGE}\nretry: 0\n${extra}run:\n${run.map((r) => `  - ${JSON.stringify(r)}`).join('\n')}\n`;

describe('Worker (real database, real Docker)', () => {
  test('a submitted run succeeds; its statuses and logs are stored', async () => {
    const { queue } = await world.startWorker({ workerId: 'w-success' });
    const id = await world.submit(job(['echo hello from $PISTAGES_JOB', 'echo to-stderr >&2']), queue);
    const run = await world.waitForStatus(id, ['success', 'failure', 'error', 'cancelled', 'timed_out']);
    assert.equal(run.status, 'success', run.message);
    assert.equal(run.worker, 'w-success');
    assert.equal(run.starts, 1);
    assert.equal(run.groups[0]?.status, 'success');
    assert.equal(run.groups[0]?.attempts[0]?.steps[0]?.status, 'success');
    const lines = await world.stores.logs.read(id, {});
    assert.ok(lines.some((l) => l.line === 'hello from t' && l.stream === 'stdout'), JSON.stringify(lines));
    assert.ok(lines.some((l) => l.line === 'to-stderr' && l.stream === 'stderr'));
    assert.deepEqual(await world.containersOf(id), []);
  });

  test('a failing command makes the run fail with the exit code', async () => {
    const id = await world.submit(job(['echo before', 'exit 3']));
    const run = await world.waitForStatus(id, ['success', 'failure', 'error', 'cancelled']);
    assert.equal(run.status, 'failure');
    const step = run.groups[0]?.attempts[0]?.steps[0];
    assert.equal(step?.exitCode, 3);
    assert.ok((await world.stores.logs.read(id, {})).some((l) => l.line === 'before'));
  });

  test('a missing secret ends the run as error, naming the secret and the fix', async () => {
    const id = await world.submit(job(['echo $DEPLOY_TOKEN'], 'secrets: [DEPLOY_TOKEN]\n'));
    const run = await world.waitForStatus(id, ['success', 'failure', 'error']);
    assert.equal(run.status, 'error');
    assert.match(run.message ?? '', /DEPLOY_TOKEN/);
    assert.match(run.message ?? '', /pistages secrets set/);
  });

  test('a stored secret reaches the step and is masked in the logs', async () => {
    await world.stores.secrets.put('API_KEY', 'global', 's3cr3t-value');
    const id = await world.submit(job(['echo key=$API_KEY', 'test "$API_KEY" = s3cr3t-value'], 'secrets: [API_KEY]\n'));
    const run = await world.waitForStatus(id, ['success', 'failure', 'error']);
    assert.equal(run.status, 'success', run.message);
    const lines = (await world.stores.logs.read(id, {})).map((l) => l.line);
    assert.ok(lines.some((l) => l.startsWith('key=') && !l.includes('s3cr3t-value')), lines.join('\n'));
  });

  test('cancel (RunStore.requestCancel) stops a running run; no container is left', async () => {
    const id = await world.submit(job(['echo started', 'sleep 120']));
    await waitFor('the step to be running in a container', async () => (await world.containersOf(id)).length > 0
      && (await world.stores.logs.read(id, {})).some((l) => l.line === 'started'), { timeoutMs: 30_000 });
    await world.stores.runs.requestCancel(id);
    const run = await world.waitForStatus(id, ['success', 'failure', 'error', 'cancelled'], 15_000);
    assert.equal(run.status, 'cancelled');
    assert.deepEqual(await world.containersOf(id), []);
  });

  test('graceful stop re-queues a running run; another worker finishes it as attempt 2', async () => {
    const { worker, queue } = await world.startWorker({ workerId: 'w-leaving' });
    const id = await world.submit(job(['echo attempt $PISTAGES_ATTEMPT', '[ "$PISTAGES_ATTEMPT" = 2 ] || sleep 120']), queue);
    await waitFor('the first attempt to run', async () => (await world.stores.logs.read(id, {})).some((l) => l.line === 'attempt 1'), { timeoutMs: 30_000 });
    await worker.stop({ graceMs: 200 });
    const handedBack = await world.stores.runs.get(id);
    assert.equal(handedBack?.status, 'queued');
    assert.match(handedBack?.message ?? '', /stopped before the run finished/);
    assert.deepEqual(await world.containersOf(id), []);

    await world.startWorker({ workerId: 'w-next' });
    const run = await world.waitForStatus(id, ['success', 'failure', 'error', 'cancelled']);
    assert.equal(run.status, 'success', run.message);
    assert.equal(run.starts, 2);
    assert.equal(run.groups[0]?.attempt, 2);
    assert.deepEqual(run.groups[0]?.attempts.map((a) => a.status), ['cancelled', 'success']);
  });

  test('a container-engine failure is retried with backoff, then the run succeeds', async () => {
    let failures = 1;
    const flaky = (inner: Executor): Executor => ({
      ...inner,
      createWorkspace: (scope) => {
        if (failures-- > 0) return Promise.reject(new ExecutorError('engine', 'cannot create workspace: the Docker engine is unreachable (test)'));
        return inner.createWorkspace(scope);
      },
      removeWorkspace: (w) => inner.removeWorkspace(w),
      startContainer: (r, s) => inner.startContainer(r, s),
      exec: (c, r, sink, s) => inner.exec(c, r, sink, s),
      removeContainer: (c) => inner.removeContainer(c),
    });
    const { queue } = await world.startWorker({ workerId: 'w-flaky', wrapExecutor: flaky, engineRetryBaseMs: 300 });
    const id = await world.submit(job(['echo ok']), queue);
    const requeued = await waitFor('the run to be handed back for a retry', async () => {
      const r = await world.stores.runs.get(id);
      return r && r.starts === 1 && r.status === 'queued' && /retrying in/.test(r.message ?? '') ? r : undefined;
    }, { timeoutMs: 30_000, intervalMs: 10 });
    assert.match(requeued.message ?? '', /unreachable/);
    const run = await world.waitForStatus(id, ['success', 'failure', 'error', 'cancelled']);
    assert.equal(run.status, 'success', run.message);
    assert.equal(run.starts, 2);
  });
});
