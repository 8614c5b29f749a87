/** The operator's maxima (PISTAGES_MAX_*) against what job and action files ask for. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCatalog, formatIssue, parseJob, type JobFile, type Plan } from '../../../src/pipeline/index.ts';
import { formatDuration, formatSize, jobSizeIssue, operatorLimitIssues, planLimitIssues, type JobLimits } from '../../../src/pipeline/operator-limits.ts';
import { compile } from '../../../src/runs/compile.ts';

const GIB = 1024 ** 3;
const LIMITS: JobLimits = { maxMemoryBytes: 16 * GIB, maxCpus: 4, maxPids: 32768, maxTimeoutMs: 6 * 3_600_000, maxJobBytes: 512 * 1024 };

function parsed(text: string, file: string): JobFile {
  const result = parseJob(text, file);
  assert.deepEqual(result.issues, [], 'the test file is valid');
  return result.job!;
}

const issuesOf = (text: string, actions: JobFile[] = [], limits = LIMITS): string[] =>
  operatorLimitIssues(parsed(text, 'j.yaml'), createCatalog(actions).catalog, limits).map(formatIssue);

describe('operator maxima in job files', () => {
  test('job-level resources and timeout above the maxima point at each value and name its variable', () => {
    const text = 'name: J\nimage: alpine\ntimeout: 12h\nresources: {memory: 99999g, cpus: 8, pids: 100000}\nrun: make\n';
    assert.deepEqual(issuesOf(text), [
      "j.yaml:3:10: timeout is 12h, more than this server's maximum of 6h (PISTAGES_MAX_TIMEOUT); ask for less",
      "j.yaml:4:21: resources.memory is 99999g, more than this server's maximum of 16g (PISTAGES_MAX_MEMORY); ask for less",
      "j.yaml:4:35: resources.cpus is 8, more than this server's maximum of 4 (PISTAGES_MAX_CPUS); ask for less",
      "j.yaml:4:44: resources.pids is 100000, more than this server's maximum of 32768 (PISTAGES_MAX_PIDS); ask for less",
    ]);
  });

  test('step-level values are checked at the step', () => {
    const text = [
      'name: J',
      'image: alpine',
      'uses:',
      '  main:',
      '    - run: make',
      '      timeout: 7h',
      '      resources:',
      '        memory: 17g',
      '        pids: 40000',
      '',
    ].join('\n');
    assert.deepEqual(issuesOf(text), [
      "j.yaml:6:16: timeout is 7h, more than this server's maximum of 6h (PISTAGES_MAX_TIMEOUT); ask for less",
      "j.yaml:8:17: resources.memory is 17g, more than this server's maximum of 16g (PISTAGES_MAX_MEMORY); ask for less",
      "j.yaml:9:15: resources.pids is 40000, more than this server's maximum of 32768 (PISTAGES_MAX_PIDS); ask for less",
    ]);
  });

  test('values at the maxima, and any values without maxima, pass', () => {
    const text = 'name: J\nimage: alpine\ntimeout: 6h\nresources: {memory: 16g, cpus: 4, pids: 32768}\nrun: make\n';
    assert.deepEqual(issuesOf(text), []);
    assert.deepEqual(issuesOf('name: J\nimage: alpine\ntimeout: 24h\nresources: {memory: 9999g, cpus: 64}\nrun: make\n', [], {}), []);
  });

  test('a value in an action the job uses, even through another action, is reported in the action file', () => {
    const inner = parsed('name: Inner\nimage: alpine\nuses:\n  main:\n    - run: make\n      resources: {cpus: 5}\n', 'actions/inner.yaml');
    const outer = parsed('name: Outer\nuses:\n  main:\n    - dep: Inner\n', 'actions/outer.yaml');
    const unused = parsed('name: Unused\nimage: alpine\nresources: {cpus: 99}\nrun: make\n', 'actions/unused.yaml');
    const text = 'name: J\nuses:\n  a:\n    - dep: Outer\n  b:\n    - dep: Outer\n    - dep: Missing\n';
    assert.deepEqual(issuesOf(text, [inner, outer, unused]), [
      "actions/inner.yaml:6:25: resources.cpus of action 'Inner' is 5, more than this server's maximum of 4 (PISTAGES_MAX_CPUS); ask for less",
    ]);
  });

  test('an action stored without positions is reported at its step', () => {
    const action = parsed('name: Old\nimage: alpine\nuses:\n  main:\n    - run: make\n      timeout: 8h\n', 'old.yaml');
    for (const group of action.groups) for (const step of group.steps) delete step.limitsPos;
    assert.deepEqual(issuesOf('name: J\nuses:\n  main:\n    - dep: Old\n', [action]), [
      "old.yaml:5:7: timeout of action 'Old' is 8h, more than this server's maximum of 6h (PISTAGES_MAX_TIMEOUT); ask for less",
    ]);
  });
});

describe('compile with maxima', () => {
  test('limit findings come with the planning problems, and no plan', () => {
    const result = compile('name: J\nresources: {pids: 40000}\nuses:\n  main:\n    - dep: Nope\n', 'j.yaml', createCatalog([]).catalog, {}, LIMITS);
    assert.equal(result.ok, false);
    const lines = result.ok ? [] : result.issues.map(formatIssue);
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', /^j\.yaml:2:19: resources\.pids is 40000, .*PISTAGES_MAX_PIDS/);
    assert.match(lines[1] ?? '', /^j\.yaml:5:7: unknown action 'Nope'/);
  });

  test('a valid plan above a maximum is refused; within it, compiled', () => {
    const over = compile('name: J\nimage: alpine\nresources: {memory: 32g}\nrun: make\n', 'j.yaml', createCatalog([]).catalog, {}, LIMITS);
    assert.equal(over.ok, false);
    const within = compile('name: J\nimage: alpine\nresources: {memory: 2g}\nrun: make\n', 'j.yaml', createCatalog([]).catalog, {}, LIMITS);
    assert.equal(within.ok, true);
  });

  test('a file above PISTAGES_MAX_JOB_SIZE is refused before parsing: one issue, whatever the text holds', () => {
    const text = `name: J\nimage: alpine\nrun: echo ${'x'.repeat(600 * 1024)}\n  : not: yaml: [\n`;
    const result = compile(text, 'big.yaml', createCatalog([]).catalog, {}, LIMITS);
    assert.deepEqual(result.ok ? [] : result.issues.map(formatIssue), [
      `big.yaml:1:1: the file is 600.0k (${Buffer.byteLength(text).toLocaleString('en-US')} bytes), more than this server's maximum of 512k (PISTAGES_MAX_JOB_SIZE); make it smaller, e.g. move long scripts into files of the repository, or split the job`,
    ]);
    assert.equal(jobSizeIssue('x'.repeat(512 * 1024), 'ok.yaml', LIMITS), undefined, 'exactly the maximum is accepted');
  });
});

describe('plans made earlier', () => {
  test('each step whose effective values exceed today’s maxima is named, at its position', () => {
    const plan: Plan = {
      job: 'J',
      file: 'j.yaml',
      params: {},
      secrets: [],
      groups: [
        {
          name: 'build',
          steps: [
            { index: 0, name: 'compile', image: 'alpine', container: 0, startsContainer: true, commands: ['make'], env: {}, actions: [], pos: { file: 'j.yaml', line: 5, col: 7 }, resources: { memoryBytes: 32 * GIB }, timeoutMs: 3_600_000 },
            { index: 1, name: 'test', image: 'alpine', container: 0, startsContainer: false, commands: ['make test'], env: {}, actions: [], pos: { file: 'j.yaml', line: 6, col: 7 } },
          ],
        },
      ],
    };
    assert.deepEqual(planLimitIssues(plan, LIMITS).map(formatIssue), [
      "j.yaml:5:7: resources.memory of step 'compile' (group 'build') is 32g, more than this server's maximum of 16g (PISTAGES_MAX_MEMORY); the run was planned when this server allowed more; lower it in the job file and start a new run",
    ]);
    assert.deepEqual(planLimitIssues(plan, {}), []);
  });
});

test('sizes and durations are shown as job files write them', () => {
  assert.equal(formatSize(16 * GIB), '16g');
  assert.equal(formatSize(1536 * 1024 ** 2), '1536m');
  assert.equal(formatSize(512 * 1024), '512k');
  assert.equal(formatSize(100), '100b');
  assert.equal(formatDuration(6 * 3_600_000), '6h');
  assert.equal(formatDuration(5_400_000), '1h30m');
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(1_500), '1s500ms');
});
