import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runJob } from '../../../src/executor/run-job.ts';
import { FakeExecutor, type FakeExecutorOptions } from '../../support/fake-executor.ts';
import { logLines, recordEvents, sketchPlan, stepEvent } from '../../support/run-harness.ts';

const TOKEN = 'tok3n-Secr3t/value';

async function run(fakeOptions: FakeExecutorOptions) {
  const fake = new FakeExecutor(fakeOptions);
  const { events, onEvent } = recordEvents();
  await runJob(sketchPlan({ secrets: ['TOKEN'], groups: { a: [{ run: 'leak' }] } }), {
    runId: 'run-1', executor: fake, onEvent, defaultRetry: 0, groupConcurrency: 1, secrets: { TOKEN },
    logCapBytes: 1 << 20, context: {}, clock: () => new Date(0),
  });
  return events;
}

describe('runJob: what is stored has the secrets masked in every form', () => {
  it('masks output keys as well as values', async () => {
    const events = await run({ commands: { leak: { outputs: { [`key_${TOKEN}`]: 'v', plain: Buffer.from(TOKEN).toString('base64') } } } });
    assert.deepEqual(stepEvent(events, 'a', 0)?.outputs, { 'key_***': 'v', plain: '***' });
    assert.ok(!JSON.stringify(events).includes(TOKEN));
  });

  it('masks encoded forms in the log and a value split between stdout and stderr', async () => {
    const events = await run({
      commands: {
        leak: {
          output: [
            `hex ${Buffer.from(TOKEN).toString('hex')}\n`,
            { stream: 'stdout', text: `half ${TOKEN.slice(0, 9)}` },
            { stream: 'stderr', text: `${TOKEN.slice(9)}\n` },
            { stream: 'stdout', text: '\n' },
          ],
        },
      },
    });
    assert.deepEqual(logLines(events, 'a', 0, 1, 'stdout'), ['hex ***', 'half ***']);
    assert.deepEqual(logLines(events, 'a', 0, 1, 'stderr'), ['***']);
  });
});
