import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { superviseProcess, type SupervisedState } from '../../../src/embedded/supervised-process.ts';
import { waitFor } from '../../support/wait.ts';

/** The supervisor on real (tiny) child processes: restarts, backoff states, stop. */
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const idle = () => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'pipe'] });

describe('superviseProcess', () => {
  it('restarts a child that was killed, and stop() leaves nothing running', async () => {
    const supervised = await superviseProcess({ name: 'idle', spawn: idle, ready: async () => undefined, log: quiet, backoffMs: 20 });
    try {
      const first = supervised.pid();
      assert.ok(first);
      assert.equal(supervised.status().state, 'up');
      process.kill(first, 'SIGKILL');
      await waitFor('a new child', () => supervised.status().state === 'up' && supervised.pid() !== first, { timeoutMs: 5000 });
      assert.equal(supervised.status().restarts, 1);
      const second = supervised.pid() as number;
      await supervised.stop();
      assert.equal(supervised.status().state, 'stopped');
      assert.throws(() => process.kill(second, 0), /ESRCH/);
    } finally {
      await supervised.stop();
    }
  });

  it('says `restarting`, then `down` after repeated failed restarts, and recovers when a start works', async () => {
    let failing = false;
    const states: SupervisedState[] = [];
    const supervised = await superviseProcess({
      name: 'flaky',
      spawn: idle,
      ready: async () => {
        if (failing) throw new Error('not serving');
      },
      log: quiet,
      backoffMs: 5,
      maxBackoffMs: 20,
      downAfter: 2,
    });
    const watcher = setInterval(() => {
      const { state } = supervised.status();
      if (states.at(-1) !== state) states.push(state);
    }, 1);
    try {
      failing = true;
      process.kill(supervised.pid() as number, 'SIGKILL');
      await waitFor('the state `down`', () => supervised.status().state === 'down', { timeoutMs: 5000, intervalMs: 2 });
      assert.match(supervised.status().detail, /flaky did not start again: not serving; restart \d+ in \d+ ms/);
      failing = false;
      await waitFor('the state `up` again', () => supervised.status().state === 'up', { timeoutMs: 5000, intervalMs: 2 });
      assert.deepEqual(states.filter((s, i) => states.indexOf(s) === i), ['up', 'restarting', 'down']);
    } finally {
      clearInterval(watcher);
      await supervised.stop();
    }
  });

  it('rejects when the first start fails and kills that child', async () => {
    let child: number | undefined;
    await assert.rejects(
      superviseProcess({
        name: 'broken',
        spawn: () => {
          const started = idle();
          child = started.pid;
          return started;
        },
        ready: async () => {
          throw new Error('never serves');
        },
        log: quiet,
      }),
      /never serves/,
    );
    assert.ok(child);
    assert.throws(() => process.kill(child as number, 0), /ESRCH/);
  });
});
