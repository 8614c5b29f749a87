/**
 * Scenario tests in Woodpecker's style: each folder of test/fixtures/scenarios holds a
 * scenario.yaml with a job (in job-file shape), how the fake backend answers each command, and the
 * statuses, logs and containers the run must produce. Every scenario is also checked for event
 * order, log numbering and that nothing created on the backend was left behind.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { runJob } from '../../../src/executor/run-job.ts';
import type { RunJobOptions } from '../../../src/executor/run-job.ts';
import type { Status } from '../../../src/pipeline/types.ts';
import { FakeExecutor } from '../../support/fake-executor.ts';
import type { CommandBehavior } from '../../support/fake-executor.ts';
import { groupStatuses, logLines, recordEvents, runProblems, sketchPlan, stepStatuses, testRunOptions } from '../../support/run-harness.ts';
import type { JobSketch } from '../../support/run-harness.ts';

interface Scenario {
  description: string;
  job: JobSketch;
  commands?: Record<string, CommandBehavior | CommandBehavior[]>;
  missingImages?: string[];
  options?: Partial<Pick<RunJobOptions, 'secrets' | 'onlyGroups' | 'defaultRetry' | 'groupConcurrency' | 'logCapBytes' | 'firstAttempt'>>;
  expect: {
    run: Status;
    /** final status of each attempt of the group, in order */
    groups?: Record<string, Status[]>;
    /** final status of every step, per group and attempt number */
    steps?: Record<string, Record<number, Status[]>>;
    /** containers started per group, over all attempts */
    containers?: Record<string, number>;
    /** log lines by "group/step/attempt" */
    logs?: Record<string, string[]>;
    /** commands executed, in order (only meaningful with one group) */
    execs?: string[];
    /** env each exec of a command saw (subset), in order */
    env?: Record<string, Record<string, string>[]>;
  };
}

const root = join(import.meta.dirname, '../../fixtures/scenarios');
const names = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe('run-job scenarios', () => {
  it('has scenarios', () => assert.ok(names.length >= 10, `found ${names.length}`));

  for (const name of names) {
    const scenario = parse(readFileSync(join(root, name, 'scenario.yaml'), 'utf8')) as Scenario;
    it(`${name}: ${scenario.description}`, async () => {
      const fake = new FakeExecutor({
        ...(scenario.commands && { commands: scenario.commands }),
        ...(scenario.missingImages && { missingImages: scenario.missingImages }),
      });
      const { events, onEvent } = recordEvents();
      const result = await runJob(sketchPlan(scenario.job), testRunOptions(fake, onEvent, { runId: `scenario-${name}`, ...scenario.options }));
      assert.deepEqual(runProblems(events, fake), []);
      const want = scenario.expect;
      assert.equal(result.status, want.run, 'run status');
      for (const [group, statuses] of Object.entries(want.groups ?? {})) {
        assert.deepEqual(groupStatuses(events, group), statuses, `attempts of group ${group}`);
      }
      for (const [group, attempts] of Object.entries(want.steps ?? {})) {
        for (const [attempt, statuses] of Object.entries(attempts)) {
          assert.deepEqual(stepStatuses(events, group, Number(attempt)), statuses, `steps of ${group} attempt ${attempt}`);
        }
      }
      for (const [group, count] of Object.entries(want.containers ?? {})) {
        assert.equal(fake.started().filter((s) => s.scope.group === group).length, count, `containers of ${group}`);
      }
      for (const [key, lines] of Object.entries(want.logs ?? {})) {
        const [group = '', step = '0', attempt = '1'] = key.split('/');
        assert.deepEqual(logLines(events, group, Number(step), Number(attempt)), lines, `log of ${key}`);
      }
      if (want.execs) assert.deepEqual(fake.execs().map((e) => e.command), want.execs);
      for (const [command, envs] of Object.entries(want.env ?? {})) {
        const seen = fake.execs(command).map((e) => Object.fromEntries(Object.keys(envs[0] ?? {}).map((k) => [k, e.env[k]])));
        assert.deepEqual(seen, envs, `env of ${command}`);
      }
    });
  }
});
