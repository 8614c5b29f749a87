/**
 * parseJob on valid files: normalisation into JobFile and the positions of job, groups and steps.
 * Invalid files are covered by parse-invalid.test.ts (fixtures) and parse-misindent.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJob } from '../../../src/pipeline/parse.ts';
import { formatIssue } from '../../../src/pipeline/errors.ts';
import type { JobFile } from '../../../src/pipeline/types.ts';

function valid(text: string, file = 'job.yaml'): JobFile {
  const { job, issues } = parseJob(text, file);
  assert.deepEqual(issues.map(formatIssue), []);
  assert.ok(job);
  return job;
}

const pos = (line: number, col: number, file = 'job.yaml') => ({ file, line, col });

describe('one-step jobs', () => {
  test('the seed action becomes group main with one step {image, run}', () => {
    const job = valid('name: Clone Repo\nimage: alpine/git\nrun: git clone {{ .repo }}\n', 'clone.yaml');
    assert.deepEqual(job, {
      file: 'clone.yaml',
      name: 'Clone Repo',
      image: 'alpine/git',
      with: {},
      env: {},
      groups: [
        {
          name: 'main',
          steps: [{ image: 'alpine/git', run: ['git clone {{ .repo }}'], pos: pos(3, 1, 'clone.yaml') }],
          pos: pos(3, 1, 'clone.yaml'),
        },
      ],
      singleRun: true,
      secrets: [],
      pos: pos(1, 1, 'clone.yaml'),
    });
  });

  test('a name may be any text, commas included, and with gives parameter defaults', () => {
    const job = valid(
      'name: Clone Repo, Pistages if omitted\nimage: alpine/git\nrun: git clone {{ .repo }}\nwith:\n  repo: git@github.com:projecteru2/pistages.git\n',
    );
    assert.equal(job.name, 'Clone Repo, Pistages if omitted');
    assert.deepEqual(job.with, { repo: 'git@github.com:projecteru2/pistages.git' });
  });

  test('a run list stays a list; a one-step job without image is valid (a caller may give one)', () => {
    const job = valid('name: Build\nrun:\n  - make deps\n  - make build\n');
    assert.deepEqual(job.groups[0]?.steps, [{ run: ['make deps', 'make build'], pos: pos(2, 1) }]);
    assert.equal(job.image, undefined);
  });

  test('a block scalar command keeps its lines, including text that looks like a key', () => {
    const job = valid('name: Build\nimage: alpine\nrun: |\n  echo one\n  echo note: two\n');
    assert.deepEqual(job.groups[0]?.steps[0]?.run, ['echo one\necho note: two\n']);
  });

  test('leading comments and a yaml-language-server line do not shift positions', () => {
    const job = valid('# yaml-language-server: $schema=../schema/pistages.schema.json\n\nname: Build\nrun: make\n');
    assert.deepEqual(job.pos, pos(3, 1));
    assert.deepEqual(job.groups[0]?.pos, pos(4, 1));
  });
});

describe('jobs with groups', () => {
  const text = [
    'name: Build and Lint', // 1
    'image: alpine', // 2
    'uses:', // 3
    '  make:', // 4
    '    - dep: Clone Repo, Pistages if omitted', // 5
    '      image: bitnami/git', // 6
    '      with:', // 7
    '        repo: git@github.com:anrs/aa.git', // 8
    '    - run: make build', // 9
    '      id: build', // 10
    '  lint:', // 11
    '    - name: Lint', // 12
    '      run: [make lint, make vet]', // 13
    '      env: {CGO_ENABLED: 0}', // 14
    '      timeout: 10m', // 15
    '      resources: {cpus: 0.5, memory: 1g, pids: 64}', // 16
    '',
  ].join('\n');

  test('groups keep file order, steps keep their fields, `run` is normalised', () => {
    const job = valid(text);
    assert.equal(job.singleRun, false);
    assert.equal(job.image, 'alpine');
    assert.deepEqual(
      job.groups.map((g) => g.name),
      ['make', 'lint'],
    );
    assert.deepEqual(job.groups[0]?.steps, [
      {
        dep: 'Clone Repo, Pistages if omitted',
        image: 'bitnami/git',
        with: { repo: 'git@github.com:anrs/aa.git' },
        withPos: { repo: pos(8, 9) },
        pos: pos(5, 7),
      },
      { id: 'build', run: ['make build'], pos: pos(9, 7) },
    ]);
    assert.deepEqual(job.groups[1]?.steps, [
      {
        name: 'Lint',
        run: ['make lint', 'make vet'],
        env: { CGO_ENABLED: '0' },
        timeoutMs: 600_000,
        resources: { cpus: 0.5, memoryBytes: 1024 ** 3, pids: 64 },
        limitsPos: { timeout: pos(15, 16), cpus: pos(16, 25), memory: pos(16, 38), pids: pos(16, 48) },
        pos: pos(12, 7),
      },
    ]);
  });

  test('a group is positioned at its name, a step at its first key', () => {
    const job = valid(text);
    assert.deepEqual(
      job.groups.map((g) => g.pos),
      [pos(4, 3), pos(11, 3)],
    );
  });
});

describe('durations', () => {
  const cases: [string, number][] = [
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['2m30s', 150_000],
    ['1h0m5s', 3_605_000],
    ['24h', 86_400_000],
  ];
  for (const [written, ms] of cases) {
    test(`timeout: ${written} → ${ms} ms, on the job and on a step`, () => {
      const job = valid(`name: T\ntimeout: ${written}\nuses:\n  main:\n    - run: x\n      timeout: ${written}\n`);
      assert.equal(job.timeoutMs, ms);
      assert.equal(job.groups[0]?.steps[0]?.timeoutMs, ms);
    });
  }
});

describe('memory sizes', () => {
  const cases: [string, number][] = [
    ['512m', 512 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['1G', 1024 ** 3],
    ['1.5g', 1.5 * 1024 ** 3],
    ['8192k', 8192 * 1024],
    ['10000000', 10_000_000],
    ['"7340032"', 7_340_032],
    ['6m', 6 * 1024 ** 2],
  ];
  for (const [written, bytes] of cases) {
    test(`memory: ${written} → ${bytes} bytes`, () => {
      const job = valid(`name: M\nrun: x\nresources:\n  memory: ${written}\n`);
      assert.deepEqual(job.resources, { memoryBytes: bytes });
    });
  }
});

describe('with, env, secrets and triggers', () => {
  test('env values are strings, spelled as in the file; with keeps plain numbers and booleans typed', () => {
    const job = valid(
      [
        'name: V',
        'run: x',
        'env: {A: 1, B: 1.10, C: true, D: 0x1F, E: text, F: ""}',
        'with: {n: 3, f: 1.5, b: false, v: 1.10, s: "3"}',
        '',
      ].join('\n'),
    );
    assert.deepEqual(job.env, { A: '1', B: '1.10', C: 'true', D: '0x1F', E: 'text', F: '' });
    assert.deepEqual(job.with, { n: 3, f: 1.5, b: false, v: '1.10', s: '3' });
  });

  test('secrets and retry are kept as written', () => {
    const job = valid('name: P\nrun: npm publish\nsecrets: [NPM_TOKEN, GH_TOKEN]\nretry: 0\n');
    assert.deepEqual(job.secrets, ['NPM_TOKEN', 'GH_TOKEN']);
    assert.equal(job.retry, 0);
  });

  test('on.push filters are copied; an empty `push:` means "every push" with the defaults', () => {
    const filtered = valid(
      'name: CI\nrun: make\non:\n  push:\n    branches: [main, "release/*"]\n    tags: ["v*"]\n    paths: ["src/**", "!docs/**"]\n',
    );
    assert.deepEqual(filtered.on, {
      push: { branches: ['main', 'release/*'], tags: ['v*'], paths: ['src/**', '!docs/**'] },
    });
    assert.deepEqual(valid('name: CI\nrun: make\non:\n  push:\n').on, { push: {} });
  });

  test('on.pull_request filters are copied next to push; an empty `pull_request:` keeps the defaults', () => {
    const both = valid('name: CI\nrun: make\non:\n  push: {branches: [main]}\n  pull_request:\n    branches: [main]\n    paths: ["src/**"]\n');
    assert.deepEqual(both.on, { push: { branches: ['main'] }, pull_request: { branches: ['main'], paths: ['src/**'] } });
    assert.deepEqual(valid('name: CI\nrun: make\non:\n  pull_request:\n').on, { pull_request: {} });
  });

  test('YAML anchors and aliases work', () => {
    const job = valid('name: A\nenv: &shared {MODE: ci}\nuses:\n  main:\n    - run: make\n      env: *shared\n');
    assert.deepEqual(job.groups[0]?.steps[0]?.env, { MODE: 'ci' });
  });

  test('the parsed job is plain data that survives a JSON round trip', () => {
    const job = valid('name: J\nrun: x\nwith: {a: 1}\n');
    assert.deepEqual(JSON.parse(JSON.stringify(job)), job);
  });
});

describe('all problems of a file are reported together, in file order', () => {
  test('a file with five mistakes gets five issues, sorted by line', () => {
    const { job, issues } = parseJob(
      'name: X\nretry: -1\ntimeout: 5x\nuses:\n  main:\n    - dep: A\n      run: b\n  lint: []\nfoo: 1\n',
      'x.yaml',
    );
    assert.equal(job, undefined);
    assert.deepEqual(
      issues.map((i) => [i.line, i.col]),
      [
        [2, 8],
        [3, 10],
        [7, 7],
        [8, 9],
        [9, 1],
      ],
    );
  });
});
