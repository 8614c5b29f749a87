/** Job-size limits, resource values Docker refuses, and files large enough to stall a quadratic validator. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPlan, createCatalog, formatIssue, parseJob, ValidationError } from '../../../src/pipeline/index.ts';
import { MAX_GROUPS, MAX_ISSUES_SHOWN, MAX_RUN_BYTES, MAX_STEPS } from '../../../src/pipeline/limits.ts';

const issuesOf = (text: string): string[] => parseJob(text, 'big.yaml').issues.map(formatIssue);

function groupsJob(groups: number, stepsPerGroup: number): string {
  const lines = ['name: big', 'image: alpine:3', 'uses:'];
  for (let g = 0; g < groups; g++) {
    lines.push(`  g${g}:`);
    for (let s = 0; s < stepsPerGroup; s++) lines.push(`    - run: echo ${g}.${s}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('job-size limits', () => {
  test(`at most ${MAX_GROUPS} groups: the error names the limit and points at \`uses:\``, () => {
    assert.deepEqual(issuesOf(groupsJob(MAX_GROUPS, 1)), []);
    assert.deepEqual(issuesOf(groupsJob(MAX_GROUPS + 1, 1)), [
      `big.yaml:3:1: \`uses\` has ${MAX_GROUPS + 1} groups, more than the limit of ${MAX_GROUPS} groups per job; split the job into several job files`,
    ]);
  });

  test(`at most ${MAX_STEPS} steps per job, counted over all groups`, () => {
    assert.deepEqual(issuesOf(groupsJob(10, MAX_STEPS / 10)), []);
    const [issue, ...more] = issuesOf(groupsJob(11, MAX_STEPS / 10));
    assert.deepEqual(more, []);
    assert.match(issue ?? '', /^big\.yaml:3:1: the job has 1,100 steps, more than the limit of 1,000 steps per job; split the job/);
  });

  test(`at most ${MAX_RUN_BYTES} bytes of commands per step, for a one-step job and for steps`, () => {
    const fits = 'x'.repeat(MAX_RUN_BYTES - 5);
    assert.deepEqual(issuesOf(`name: r\nimage: a\nrun: echo ${fits}\n`), []);
    assert.deepEqual(issuesOf(`name: r\nimage: a\nrun: echo ${fits}x\n`), [
      'big.yaml:3:1: `run` holds 65,537 bytes of commands, more than the limit of 65,536 bytes per step; put the script in a file in the repository and run that file',
    ]);
    // a list counts all its commands; multi-byte characters count as the bytes they take
    const half = 'é'.repeat(MAX_RUN_BYTES / 4);
    const [issue] = issuesOf(`name: r\nimage: a\nuses:\n  build:\n    - run: echo\n    - run: ["${half}", "${half}", "x"]\n`);
    assert.match(issue ?? '', /^big\.yaml:6:7: .*step 2.*build.* holds 65,537 bytes of commands, more than the limit of 65,536 bytes per step/);
  });
});

describe('resource values Docker refuses or reads as "no limit"', () => {
  const resources = (value: string): string[] => issuesOf(`name: r\nimage: a\nrun: make\nresources:\n  ${value}\n`);
  const cases: [string, RegExp][] = [
    ['cpus: 1e-12', /^big\.yaml:5:9: `resources\.cpus` is 1e-12, below Docker's minimum of 0\.01 CPUs; use at least `cpus: 0\.01`/],
    ['cpus: 0.001', /is 0\.001, below Docker's minimum of 0\.01 CPUs/],
    ['pids: 1', /^big\.yaml:5:9: `resources\.pids` is 1, too few to run a step: .*init.*shell.*; use at least `pids: 4`/],
    ['pids: 99999999999999', /is 99999999999999, above the kernel's maximum of 4194304/],
    ['memory: -1', /^big\.yaml:5:11: `resources\.memory` is -1 bytes, below Docker's minimum of 6m/],
    ['memory: 99999999999999999999g', /is '99999999999999999999g', more than a limit can be; write the size in m or g/],
  ];
  for (const [value, expected] of cases) {
    test(value, () => {
      const issues = resources(value);
      assert.equal(issues.length, 1, issues.join('\n'));
      assert.match(issues[0] ?? '', expected);
    });
  }

  test('values at the bounds are valid', () => {
    const job = parseJob('name: r\nimage: a\nrun: make\nresources: {cpus: 0.01, pids: 4, memory: 6m}\n', 'ok.yaml').job;
    assert.deepEqual(job?.resources, { cpus: 0.01, pids: 4, memoryBytes: 6 * 1024 ** 2 });
    assert.deepEqual(issuesOf('name: r\nimage: a\nrun: make\nresources: {pids: 4194304}\n'), []);
  });
});

describe('large invalid files', () => {
  const unknownKeys = (n: number, key = (i: number) => `k${i}`): string =>
    `name: x\nrun: echo\n${Array.from({ length: n }, (_, i) => `${key(i)}: 1`).join('\n')}\n`;

  // 40k unknown keys (about 380 KB) took 183 s when each key's finding scanned all the keys; the
  // timeout only bounds a regression, the assertions check the findings themselves.
  test('40,000 unknown keys: the first 100 are reported in order, the rest counted', { timeout: 60_000 }, () => {
    const issues = parseJob(unknownKeys(40_000), 'big.yaml').issues;
    assert.equal(issues.length, MAX_ISSUES_SHOWN + 1);
    assert.deepEqual(
      issues.slice(0, 3).map(formatIssue),
      [0, 1, 2].map((i) => `big.yaml:${i + 3}:1: unknown key 'k${i}' at the top level; remove it or use one of the allowed keys: name, description, image, run, with, env, uses, timeout, retry, resources, secrets, on`),
    );
    assert.deepEqual(issues.map((i) => i.line).slice(0, MAX_ISSUES_SHOWN), Array.from({ length: MAX_ISSUES_SHOWN }, (_, i) => i + 3));
    assert.equal(
      formatIssue(issues[MAX_ISSUES_SHOWN]!),
      'big.yaml:103:1: 39,900 more problems from here on are not shown (at most 100 per file); fix the ones above and validate again',
    );
  });

  test('20,000 repeated keys are each reported against the first, and the count is exact', { timeout: 60_000 }, () => {
    const issues = issuesOf(`name: x\nrun: echo\nwith:\n${Array.from({ length: 20_002 }, (_, i) => `  p${i % 2}: ${i}`).join('\n')}\n`);
    assert.equal(issues.length, MAX_ISSUES_SHOWN + 1);
    assert.equal(issues[0], "big.yaml:6:3: key 'p0' appears twice (first at line 4); a key may appear only once in a mapping — rename or remove one of them");
    assert.equal(issues[1], "big.yaml:7:3: key 'p1' appears twice (first at line 5); a key may appear only once in a mapping — rename or remove one of them");
    assert.match(issues[MAX_ISSUES_SHOWN] ?? '', /^big\.yaml:106:3: 19,900 more problems from here on are not shown/);
  });

  test('an unknown key as long as YAML allows (1,000 characters) still gets its finding', () => {
    const issues = issuesOf(unknownKeys(3, (i) => (i === 1 ? 'y'.repeat(1000) : `k${i}`)));
    assert.equal(issues.length, 3);
    assert.match(issues[1] ?? '', /^big\.yaml:4:1: unknown key 'y+' at the top level; remove it/);
  });

  test('a typo among many unknown keys still gets its suggestion', () => {
    const issues = issuesOf(unknownKeys(50, (i) => (i === 25 ? 'imgae' : `k${i}`)));
    assert.ok(issues.includes("big.yaml:28:1: unknown key 'imgae' at the top level; did you mean 'image'?"), issues.join('\n'));
  });
});

describe('steps that actions add count towards the limit', () => {
  const parsed = (text: string, file: string) => {
    const { job, issues } = parseJob(text, file);
    assert.deepEqual(issues, []);
    return job!;
  };
  const stepsOf = (n: number, step: string) => Array.from({ length: n }, () => `    - ${step}`).join('\n');
  // Leaf: 40 commands; Middle: 40 uses of Leaf (1,600 steps); a job using Middle once has 1,600 steps
  const catalog = createCatalog([
    parsed(`name: Leaf\nimage: a\nuses:\n  main:\n${stepsOf(40, 'run: echo leaf')}\n`, 'leaf.yaml'),
    parsed(`name: Middle\nuses:\n  main:\n${stepsOf(40, 'dep: Leaf')}\n`, 'middle.yaml'),
    parsed(`name: Small\nuses:\n  main:\n${stepsOf(24, 'dep: Leaf')}\n`, 'small.yaml'),
  ]).catalog;

  test('a plan within the limit is built', () => {
    const plan = buildPlan(parsed('name: ok\nuses:\n  main:\n    - dep: Small\n    - dep: Leaf\n', 'ok.yaml'), catalog);
    assert.equal(plan.groups[0]?.steps.length, 1000);
  });

  test('a plan beyond it is a validation error naming the limit, at the step that crosses it', () => {
    assert.throws(
      () => buildPlan(parsed('name: big\nimage: a\nuses:\n  main:\n    - run: echo first\n    - dep: Middle\n', 'big.yaml'), catalog),
      (err: unknown) => {
        assert.ok(err instanceof ValidationError);
        assert.deepEqual(
          err.issues.map(formatIssue),
          // the action alone has too many, and so has the job at the step that uses it
          ['middle.yaml:29:7', 'big.yaml:6:7'].map(
            (at) => `${at}: with the steps of the actions it uses, the job has more than ${MAX_STEPS} steps here, over the limit per job; use fewer or smaller actions, or split the job`,
          ),
        );
        return true;
      },
    );
  });
});
