import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { BUSYBOX_IMAGE, ensureTestImage } from '../support/images.ts';
import { engineObjects as engineObjectsOf, start, summaryRows, type Finished, type Running } from '../support/cli-process.ts';
import { waitFor } from '../support/wait.ts';

/**
 * The command-line contract of JOB-FORMAT.md, through the real `bin/pistages` in a child process
 * (no stdin, no TTY). `run` uses the local Docker engine with network none and pull policy never.
 * Jobs this suite runs have names unique to the suite, so the leftover checks (by the
 * pistages.job label) never see what other suites run on the same engine.
 */

const FIXTURES = 'test/fixtures/cli';
const SUITE = `cli-${randomBytes(3).toString('hex')}`;
const SECRET_NAME = 'CLI_TEST_DEPLOY_TOKEN';
const docker = new Docker();

function run(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  // the caller's env only: nothing inherited may provide the secret or a PISTAGES_ setting
  return start(args, { env, unset: [SECRET_NAME] });
}

function pistages(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<Finished> {
  return run(args, env).exited(timeoutMs);
}

function stderrLines(result: Finished): string[] {
  return result.stderr.split('\n').filter((line) => line !== '');
}

const engineObjects = (label: string) => engineObjectsOf(docker, label);

let jobDir = '';

/** A job file in this suite's temporary folder, named uniquely so its engine objects are ours alone. */
function writeJob(slug: string, body: string): { file: string; name: string } {
  const name = `${SUITE} ${slug}`;
  const file = join(jobDir, `${slug}.yaml`);
  writeFileSync(file, `name: ${name}\n${body}`);
  return { file, name };
}

describe('pistages validate', () => {
  it('accepts every example and the repository’s own jobs: exit 0, nothing on stderr', async () => {
    const files = [
      'examples/seed/build-and-lint.yaml',
      'examples/seed/build-pistages.yaml',
      'examples/seed/build-pistages-action-image.yaml',
      'examples/seed/build-pistages-default.yaml',
      'examples/seed/build-pistages-with-repo.yaml',
      'examples/seed/actions/clone-pistages.yaml',
      'examples/seed/actions/clone-repo.yaml',
      'examples/seed/actions/clone-repo-default.yaml',
      'examples/local/build-and-lint.yaml',
      'examples/local/actions/clone-repo.yaml',
      '.pistages/ci.yaml',
    ];
    const result = await pistages(['validate', ...files, '--actions', 'examples/seed/actions', '--actions', 'examples/local/actions']);
    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `ok: ${files.length} files\n`);
    const quiet = await pistages(['validate', '-q', 'examples/local/build-and-lint.yaml', '--actions', 'examples/local/actions']);
    assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [0, '', '']);
  });

  it('reports the seed’s mis-indented image: as one line pointing at it, exit 1', async () => {
    const result = await pistages(['validate', `${FIXTURES}/misindent.yaml`, '--actions', 'examples/seed/actions']);
    assert.equal(result.code, 1);
    const lines = stderrLines(result);
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /^test\/fixtures\/cli\/misindent\.yaml:5:9: .*\balign\b/);
    assert.match(lines[0]!, /`image:`.*`dep:`/);
  });

  it('reports every problem of several files, one file:line:col: message line each', async () => {
    const result = await pistages([
      'validate',
      `${FIXTURES}/misindent.yaml`,
      `${FIXTURES}/broken-syntax.yaml`,
      'examples/local/build-and-lint.yaml',
      `${FIXTURES}/several-problems.yaml`,
      `${FIXTURES}/no-such-file.yaml`,
      '--actions',
      'examples/local/actions',
    ]);
    assert.equal(result.code, 1);
    const lines = stderrLines(result);
    for (const line of lines) assert.match(line, /^[^:\s]+:\d+:\d+: \S.*$/, `file:line:col: message — ${line}`);
    const expected: [string, RegExp][] = [
      [`${FIXTURES}/misindent.yaml:5:9`, /align `image:` with `dep:`/],
      [`${FIXTURES}/broken-syntax.yaml:3:1`, /YAML syntax error/],
      [`${FIXTURES}/several-problems.yaml:3:10`, /`timeout` must be a duration.*'10 minutes'/],
      [`${FIXTURES}/several-problems.yaml:4:8`, /`retry` must be a whole number ≥ 0.*-1/],
      [`${FIXTURES}/several-problems.yaml:8:7`, /unknown key 'imgae'.*did you mean 'image'\?/],
      [`${FIXTURES}/no-such-file.yaml:1:1`, /cannot read the file/],
    ];
    assert.deepEqual(
      lines.map((line) => line.slice(0, line.indexOf(': '))),
      expected.map(([where]) => where),
      result.stderr,
    );
    expected.forEach(([, message], i) => assert.match(lines[i]!, message));
  });

  it('a missing file: exit 1 and file:1:1: cannot read the file', async () => {
    const result = await pistages(['validate', `${FIXTURES}/no-such-file.yaml`]);
    assert.equal(result.code, 1);
    assert.deepEqual(stderrLines(result), [`${FIXTURES}/no-such-file.yaml:1:1: cannot read the file: no such file`]);
  });
});

describe('pistages plan', () => {
  const cloneGroup = (name: string, command: string) => ({
    name,
    steps: [
      { name: 'Clone Repo, Pistages if omitted', image: 'alpine/git', container: 0, commands: ['git clone git@github.com:projecteru2/pistages.git'], env: {} },
      { name: command, image: 'alpine/git', container: 0, commands: [command], env: {} },
    ],
  });

  it('--json prints the contract shape for the seed’s Build and Lint', async () => {
    const result = await pistages(['plan', '--json', 'examples/seed/build-and-lint.yaml', '--actions', 'examples/seed/actions']);
    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
    assert.deepEqual(JSON.parse(result.stdout), {
      job: 'Build and Lint',
      groups: [cloneGroup('make', 'make build'), cloneGroup('lint', 'make lint')],
    });
  });

  it('--json numbers containers: a step with image: starts container 1', async () => {
    const result = await pistages(['plan', '--json', '.pistages/ci.yaml']);
    assert.equal(result.code, 0, result.stderr);
    const plan = JSON.parse(result.stdout) as { groups: { name: string; steps: { image: string; container: number }[] }[] };
    assert.deepEqual(
      plan.groups.map((g) => [g.name, g.steps.map((s) => `${s.container}:${s.image}`)]),
      [
        ['checks', ['0:alpine/git', '1:node:20-bookworm']],
        ['unit', ['0:alpine/git', '1:node:20-bookworm']],
      ],
    );
  });

  it('--with sets a parameter: the command changes', async () => {
    const file = 'examples/seed/actions/clone-repo-default.yaml';
    const plain = await pistages(['plan', '--json', file, '--actions', 'examples/seed/actions']);
    const other = await pistages(['plan', '--json', file, '--actions', 'examples/seed/actions', '--with', 'repo=https://example.com/other.git']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(other.code, 0, other.stderr);
    const commands = (r: Finished) => (JSON.parse(r.stdout) as { groups: { steps: { commands: string[] }[] }[] }).groups[0]?.steps[0]?.commands;
    assert.deepEqual(commands(plain), ['git clone git@github.com:projecteru2/pistages.git']);
    assert.deepEqual(commands(other), ['git clone https://example.com/other.git']);
  });

  it('--with a parameter the job does not declare is an error naming it', async () => {
    const result = await pistages(['plan', '--json', 'examples/seed/build-and-lint.yaml', '--actions', 'examples/seed/actions', '--with', 'repo=x']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^examples\/seed\/build-and-lint\.yaml:\d+:\d+: .*no parameter 'repo'/);
  });

  it('without --json shows the groups and their containers', async () => {
    const result = await pistages(['plan', 'examples/local/build-and-lint.yaml', '--actions', 'examples/local/actions']);
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /^Build and Lint {2}\(2 groups in parallel\)$/m);
    assert.match(out, /^group make {2}\(2 steps, 1 container\)$/m);
    assert.match(out, /^group lint {2}\(2 steps, 1 container\)$/m);
    assert.equal(out.match(/┌ container 0 {2}pistages\/git:local$/gm)?.length, 2);
    assert.match(out, /2\. make build {2}\(inherited\)/);
    assert.match(out, /2\. make lint {2}\(inherited\)/);
    assert.match(out, /\$ git clone --quiet \/srv\/demo\.git \./);
  });
});

describe('pistages run', { concurrency: false }, () => {
  before(async () => {
    await docker.ping();
    await ensureTestImage(docker, BUSYBOX_IMAGE);
    await docker.getImage('pistages/git:local').inspect(); // built by scripts/build-images.sh
    jobDir = mkdtempSync(join(tmpdir(), 'pistages-cli-test-'));
  });

  after(() => {
    rmSync(jobDir, { recursive: true, force: true });
  });

  it('runs the local Build and Lint example: live output, summary, exit 0, nothing left behind', async () => {
    const label = 'pistages.job=Build and Lint';
    // Other suites may run this example at the same time: only runs that start during ours count.
    const runIds = async (): Promise<Set<string | undefined>> => {
      const containers = await docker.listContainers({ all: true, filters: { label: [label] } });
      const { Volumes } = await docker.listVolumes({ filters: { label: [label] } });
      return new Set([...containers.map((c) => c.Labels['pistages.run']), ...(Volumes ?? []).map((v) => v.Labels?.['pistages.run'])]);
    };
    const earlier = await runIds();
    // the example clones its repository itself, so its groups start with an empty /workspace
    const result = await pistages(['run', 'examples/local/build-and-lint.yaml', '--actions', 'examples/local/actions', '--no-workspace', '--network', 'none', '--pull', 'never']);
    console.log(`  Build and Lint (local) ran in ${result.ms} ms (process start to exit)`);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^make\/make build +│ built out\/hello\.txt:$/m, 'output is streamed, prefixed by group/step');
    assert.match(result.stdout, /^lint\/make lint +│ lint: 2 files clean$/m);
    assert.deepEqual(
      summaryRows(result.stdout).map(([group, step, status, , attempt]) => [group, step, status, attempt]).sort(),
      [
        ['lint', 'Clone Repo, demo if omitted', 'success', '1'],
        ['lint', 'make lint', 'success', '1'],
        ['make', 'Clone Repo, demo if omitted', 'success', '1'],
        ['make', 'make build', 'success', '1'],
      ],
    );
    assert.match(result.stdout, /^Job success in \d+\.\ds$/m);
    // Our leak would never go away; a concurrent run of someone else's ends within seconds.
    await waitFor(
      'no container or volume labelled pistages.job=Build and Lint from a run that started during this test',
      async () => [...(await runIds())].every((run) => earlier.has(run)),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  });

  it('a failing job: exit 1, the summary shows the failure and the skipped step', async () => {
    const { file, name } = writeJob(
      'failing',
      `image: ${BUSYBOX_IMAGE}
retry: 0
uses:
  broken:
    - run: echo about to fail; exit 3
    - run: echo never runs
  fine:
    - run: echo fine
`,
    );
    const result = await pistages(['run', file, '--network', 'none', '--pull', 'never']);
    assert.equal(result.code, 1, `${result.stdout}\n${result.stderr}`);
    assert.deepEqual(
      summaryRows(result.stdout).map(([group, step, status, , attempt]) => [group, step, status, attempt]).sort(),
      [
        ['broken', 'echo about to fail; exit 3', 'failure', '1'],
        ['broken', 'echo never runs', 'skipped', '1'],
        ['fine', 'echo fine', 'success', '1'],
      ],
    );
    assert.match(result.stdout, /exit code 3/);
    assert.match(result.stdout, /^Job failure in /m);
    assert.doesNotMatch(result.stdout, /│ never runs$/m);
    assert.deepEqual(await engineObjects(`pistages.job=${name}`), { containers: [], volumes: [] });
  });

  const interruptions = [
    ['as soon as the step is announced (▶)', (out: string, step: string) => out.includes(`▶ ${step}`)],
    ['while its command runs', (out: string) => /│ started$/m.test(out)],
  ] as const;
  for (const [index, [when, ready]] of interruptions.entries()) {
    it(`Ctrl-C ${when}: cancelled, exits non-zero quickly, nothing left behind`, async () => {
      const step = 'wait a long time';
      const { file, name } = writeJob(
        `cancel-${index}`,
        `image: ${BUSYBOX_IMAGE}
uses:
  main:
    - name: ${step}
      run: echo started; sleep 300
    - run: echo never runs
`,
      );
      const running = run(['run', file, '--network', 'none', '--pull', 'never']);
      try {
        await waitFor(`the step to be ${when}`, () => ready(running.stdout(), step), { timeoutMs: 30_000 });
      } catch (err) {
        running.child.kill('SIGKILL');
        throw err;
      }
      const signalledAt = Date.now();
      running.child.kill('SIGINT');
      const result = await running.exited(20_000);
      const ms = Date.now() - signalledAt;
      console.log(`  Ctrl-C ${when}: exited ${ms} ms after SIGINT with code ${String(result.code)}`);
      assert.equal(result.code, 130);
      assert.equal(result.signal, null, 'it exits by itself, after cleaning up');
      assert.match(result.stderr, /cancelling/);
      assert.deepEqual(
        summaryRows(result.stdout).map(([group, stepName, status]) => [group, stepName, status]),
        [
          ['main', step, 'cancelled'],
          ['main', 'echo never runs', 'skipped'],
        ],
      );
      assert.match(result.stdout, /^Job cancelled in /m);
      assert.deepEqual(await engineObjects(`pistages.job=${name}`), { containers: [], volumes: [] });
    });
  }

  it('a job whose secret is not in the environment: exit 2, naming the secret', async () => {
    const result = await pistages(['run', `${FIXTURES}/needs-secret.yaml`, '--network', 'none', '--pull', 'never']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`needs secret ${SECRET_NAME}\\b.*export it`));
    assert.equal(result.stdout, '');
    assert.deepEqual(await engineObjects('pistages.job=Needs a secret'), { containers: [], volumes: [] });
  });

  it('a secret too short to mask: exit 2, nothing started', async () => {
    const result = await pistages(['run', `${FIXTURES}/needs-secret.yaml`, '--network', 'none', '--pull', 'never'], { [SECRET_NAME]: 'ab' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`secret ${SECRET_NAME} must be at least 3 characters`));
    assert.doesNotMatch(result.stderr, /\bab\b/);
    assert.deepEqual(await engineObjects('pistages.job=Needs a secret'), { containers: [], volumes: [] });
  });

  it('a missing file: exit 2 (no job to run) and file:1:1: cannot read the file', async () => {
    const result = await pistages(['run', `${FIXTURES}/no-such-file.yaml`, '--network', 'none']);
    assert.equal(result.code, 2);
    assert.deepEqual(stderrLines(result), [`${FIXTURES}/no-such-file.yaml:1:1: cannot read the file: no such file`]);
  });
});
