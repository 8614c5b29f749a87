import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { BUSYBOX_IMAGE, ensureTestImage } from '../support/images.ts';
import { engineObjects, start, summaryRows, type Finished, type StartOptions } from '../support/cli-process.ts';
import { waitFor } from '../support/wait.ts';

/**
 * `pistages run` as a local user meets it (JOB-FORMAT.md, command line): the checkout in
 * /workspace, retries only on request, exit codes, and no container or volume left behind however
 * the run ends (`| head`, a closed terminal, a killed process and `pistages prune`). Child processes
 * on the real engine, network none, pull policy never; job names unique to this suite, so the
 * leftover checks by the pistages.job label see only our runs.
 */

const SUITE = `local-${randomBytes(3).toString('hex')}`;
const docker = new Docker();
const ENGINE = ['--network', 'none', '--pull', 'never'];
let project = '';

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: project, encoding: 'utf8' }).trim();
}

/** A job file in the project's .pistages/ folder, named uniquely: its engine objects are ours alone. */
function writeJob(slug: string, body: string): { file: string; name: string; label: string } {
  const name = `${SUITE} ${slug}`;
  const file = join(project, '.pistages', `${slug}.yaml`);
  writeFileSync(file, `name: ${name}\nimage: ${BUSYBOX_IMAGE}\n${body}`);
  return { file, name, label: `pistages.job=${name}` };
}

function run(file: string, extra: string[] = [], options: StartOptions = {}): Promise<Finished> {
  return start(['run', file, ...ENGINE, ...extra], { cwd: project, ...options }).exited(90_000);
}

const nothingLeft = { containers: [], volumes: [] };

describe('pistages run: the checkout in /workspace, retries, exits, clean-up', { concurrency: false }, () => {
  before(async () => {
    await docker.ping();
    await ensureTestImage(docker, BUSYBOX_IMAGE);
    project = mkdtempSync(join(tmpdir(), 'pistages-project-'));
    mkdirSync(join(project, '.pistages'));
    writeFileSync(join(project, 'test.sh'), 'echo "committed test.sh"\n');
    writeFileSync(join(project, '.gitignore'), 'build/\n');
    git('init', '--quiet', '--initial-branch=feature/x', '.');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'init');
    // after the commit: an uncommitted change, an untracked file, an ignored one
    writeFileSync(join(project, 'test.sh'), 'echo "uncommitted test.sh"\n');
    writeFileSync(join(project, 'notes.txt'), 'untracked\n');
    mkdirSync(join(project, 'build'));
    writeFileSync(join(project, 'build', 'out.bin'), 'ignored\n');
  });

  after(() => {
    rmSync(project, { recursive: true, force: true });
  });

  it('copies the work tree, uncommitted changes included, into each group; PISTAGES_* describe it', async () => {
    const { file, label } = writeJob(
      'checkout',
      `uses:
  a:
    - run: sh test.sh; cat notes.txt; ls build 2>&1 || true; echo "sha=$PISTAGES_SHA branch=$PISTAGES_BRANCH dirty=$PISTAGES_DIRTY"; echo from-a > shared.txt
  b:
    - run: sh test.sh; test ! -e shared.txt && echo "b sees no file of a"
`,
    );
    const result = await run(file);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /^a\/.*│ uncommitted test\.sh$/m);
    assert.match(result.stdout, /^b\/.*│ uncommitted test\.sh$/m);
    assert.match(result.stdout, /^a\/.*│ untracked$/m);
    assert.match(result.stdout, /^a\/.*│ ls: build: No such file or directory$/m, 'ignored files stay out');
    assert.match(result.stdout, new RegExp(`│ sha=${git('rev-parse', 'HEAD')} branch=feature/x dirty=true$`, 'm'));
    assert.match(result.stdout, /^b\/.*│ b sees no file of a$/m, 'groups do not share a workspace');
    assert.equal(readFileSync(join(project, 'test.sh'), 'utf8'), 'echo "uncommitted test.sh"\n');
    assert.deepEqual(await engineObjects(docker, label), nothingLeft);
  });

  it('--no-workspace starts empty; --workspace DIR copies DIR; --bind shares the folder itself', async () => {
    const { file, label } = writeJob('flags', `run: ls -A; echo written > from-job.txt\n`);
    const empty = await run(file, ['--no-workspace']);
    assert.equal(empty.code, 0, empty.stderr);
    assert.doesNotMatch(empty.stdout, /│ test\.sh$/m);
    const other = mkdtempSync(join(tmpdir(), 'pistages-other-'));
    try {
      writeFileSync(join(other, 'only-here.txt'), 'x\n');
      const copied = await run(file, ['--workspace', other]);
      assert.equal(copied.code, 0, copied.stderr);
      assert.match(copied.stdout, /│ only-here\.txt$/m);
      assert.doesNotMatch(copied.stdout, /│ test\.sh$/m);
      assert.throws(() => readFileSync(join(other, 'from-job.txt')), 'a copy: the job cannot write to the folder');
      const bound = await run(file, ['--workspace', other, '--bind']);
      assert.equal(bound.code, 0, bound.stderr);
      assert.equal(readFileSync(join(other, 'from-job.txt'), 'utf8'), 'written\n');
      assert.equal(readFileSync(join(other, 'only-here.txt'), 'utf8'), 'x\n', 'removing the volume keeps the folder');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    assert.deepEqual(await engineObjects(docker, label), nothingLeft);
  });

  it('a job without retry: is not retried, even with PISTAGES_DEFAULT_RETRY set; --retry 1 opts in and the pass is marked', async () => {
    const { file, label } = writeJob('flaky', `uses:\n  main:\n    - name: flaky\n      run: test "$PISTAGES_ATTEMPT" -ge 2\n`);
    const once = await run(file, [], { env: { PISTAGES_DEFAULT_RETRY: '3' } });
    assert.equal(once.code, 1, once.stdout);
    assert.deepEqual(summaryRows(once.stdout).map((r) => [r[1], r[2], r[4]]), [['flaky', 'failure', '1']]);
    const retried = await run(file, ['--retry', '1']);
    assert.equal(retried.code, 0, retried.stdout);
    assert.deepEqual(summaryRows(retried.stdout).map((r) => [r[1], r[2], r[4]]), [
      ['flaky', 'failure', '1'],
      ['flaky', 'success on retry', '2'],
    ]);
    assert.match(retried.stdout, /^Job success on retry \(main\) in /m);
    assert.deepEqual(await engineObjects(docker, label), nothingLeft);
  });

  it('exit 2 on a usage error and on an invalid job, with nothing started', async () => {
    const { file, label } = writeJob('usage', 'run: echo never\n');
    const unknownFlag = await run(file, ['--no-such-flag']);
    assert.equal(unknownFlag.code, 2, unknownFlag.stderr);
    assert.match(unknownFlag.stderr, /unknown option '--no-such-flag'/);
    const bindNothing = await run(file, ['--no-workspace', '--bind']);
    assert.equal(bindNothing.code, 2, bindNothing.stderr);
    const invalid = join(project, '.pistages', 'invalid.yaml');
    writeFileSync(invalid, `name: ${SUITE} invalid\nimgae: x\nrun: echo\n`);
    const bad = await run(invalid);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid\.yaml:2:1: .*did you mean 'image'/);
    assert.deepEqual(await engineObjects(docker, label), nothingLeft);
  });

  const endless = `uses:
  talk:
    - run: i=0; while true; do i=$((i+1)); echo "line $i"; done
  wait:
    - run: echo waiting; sleep 300
`;

  it('`| head -1`: the reader goes away (EPIPE), the run is cancelled, exit 130, nothing left behind', async () => {
    const { file, label } = writeJob('head', endless);
    const result = await run(file, [], {
      // what `| head -1` does once it has its line: close the pipe
      onStdout: (chunk, child) => {
        if (/│ line \d+\n/.test(chunk)) child.stdout?.destroy();
      },
    });
    assert.equal(result.code, 130, result.stderr);
    assert.equal(result.signal, null, 'it exits by itself, after cleaning up');
    assert.match(result.stderr, /cancelling \(stdout closed: EPIPE\)/);
    assert.deepEqual(await engineObjects(docker, label), nothingLeft);
  });

  for (const [signal, why] of [
    ['SIGHUP', 'the terminal closed'],
    ['SIGTERM', 'SIGTERM'],
  ] as const) {
    it(`${signal}: cancelled, exit 130, nothing left behind`, async () => {
      const { file, label } = writeJob(`signal-${signal}`, endless);
      const running = start(['run', file, ...ENGINE], { cwd: project });
      await waitFor('both groups to run their command', () => /│ waiting$/m.test(running.stdout()) && /│ line \d+$/m.test(running.stdout()), { timeoutMs: 30_000 });
      running.child.kill(signal);
      const result = await running.exited(30_000);
      assert.equal(result.code, 130, result.stderr);
      assert.match(result.stderr, new RegExp(`cancelling \\(${why}\\)`));
      assert.match(result.stdout, /^Job cancelled in /m);
      assert.deepEqual(await engineObjects(docker, label), nothingLeft);
    });
  }

  /** Starts `file`, waits until its command runs, and kills the process outright: what it had stays. */
  async function killMidRun(file: string, label: string): Promise<void> {
    const running = start(['run', file, ...ENGINE], { cwd: project });
    await waitFor('the command to run', () => /│ waiting$/m.test(running.stdout()), { timeoutMs: 30_000 });
    running.child.kill('SIGKILL');
    await running.exited(10_000);
    const left = await engineObjects(docker, label);
    assert.ok(left.containers.length >= 2 && left.volumes.length >= 4, `the killed run left its objects: ${JSON.stringify(left)}`);
  }

  it('pistages run removes what earlier killed runs left before it starts', async () => {
    const killed = writeJob('killed-then-run', endless);
    await killMidRun(killed.file, killed.label);
    const next = await run(writeJob('after-killed', 'run: echo fine\n').file);
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stderr, /^pistages run: removed [1-9]\d* container\(s\), [1-9]\d* volume\(s\) and \d+ network\(s\) left by earlier runs whose process is gone$/m);
    assert.deepEqual(await engineObjects(docker, killed.label), nothingLeft);
  });

  it('pistages prune removes what a killed run left, and keeps what a live process owns', async () => {
    const { file, label } = writeJob('killed', endless);
    await killMidRun(file, label);
    const live = `pistages-${SUITE}-live-owner`;
    await docker.createVolume({ Name: live, Labels: { 'pistages.managed': 'true', 'pistages.run': 'x', 'pistages.host': hostname(), 'pistages.pid': String(process.pid) } });
    try {
      const pruned = await start(['prune']).exited(30_000);
      assert.equal(pruned.code, 0, pruned.stderr);
      assert.match(pruned.stdout, /^removed [1-9]\d* container\(s\), [1-9]\d* volume\(s\) and \d+ network\(s\)$/m);
      assert.deepEqual(await engineObjects(docker, label), nothingLeft);
      await docker.getVolume(live).inspect();
    } finally {
      await docker.getVolume(live).remove();
    }
  });
});
