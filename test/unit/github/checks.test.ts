import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { checkRunBody } from '../../../src/github/checks.ts';
import { GithubContract, SHA, bytes, ctx, failing, group, passing, run, step, tail } from './check-fixtures.ts';

let github: GithubContract;
before(async () => {
  github = await GithubContract.load();
});

describe('the contract check itself', () => {
  it('rejects bodies GitHub would reject', () => {
    const good = checkRunBody(failing(), [], ctx);
    assert.equal(github.api.check('POST', '/repos/o/r/check-runs', { ...good, conclusion: 'error' }).ok, false);
    assert.equal(github.api.check('POST', '/repos/o/r/check-runs', { ...good, actions: [{ label: 'x'.repeat(21), description: 'd', identifier: 'i' }] }).ok, false);
    assert.equal(github.api.check('PATCH', '/repos/o/r/check-runs/7', { status: 'completed', output: good.output }).ok, false, 'completed needs a conclusion');
    assert.equal(github.api.check('POST', `/repos/o/r/statuses/${SHA}`, { state: 'queued', context: 'c' }).ok, false);
  });
});

describe('checkRunBody', () => {
  it('a passing run: completed, success, a table of every step, a link, no button', () => {
    const body = checkRunBody(passing(), [], ctx);
    assert.equal(body.name, 'Build Pistages');
    assert.equal(body.head_sha, SHA);
    assert.equal(body.external_id, 'r1');
    assert.equal(body.details_url, ctx.runUrl);
    assert.equal(body.status, 'completed');
    assert.equal(body.conclusion, 'success');
    assert.equal(body.started_at, '2025-03-01T10:00:00.000Z');
    assert.equal(body.completed_at, '2025-03-01T10:01:12.000Z');
    assert.equal(body.output.title, '2 of 2 groups passed in 1m 12s');
    const summary = body.output.summary;
    assert.match(summary, /\| build \| checkout \| ✅ success \| 3s \| 1 \|/);
    assert.match(summary, /\| {2}\| test \| ✅ success \| 1m 2s \| 1 \|/);
    assert.match(summary, /\| lint \| eslint \| ✅ success \| 10s \| 1 \|/);
    assert.ok(summary.endsWith('[Full log](https://ci.example.com/runs/r1)'));
    assert.equal(body.output.text, undefined);
    assert.equal(body.actions, undefined);
    github.acceptsCheckRun(body);
  });

  it('a failing run: which step failed on which attempt, its log tail, and the re-run button', () => {
    const body = checkRunBody(failing(), [tail(['npm test', 'not ok 1 - adds', 'Error: 1 !== 2']), tail(['fine'], { status: 'success', group: 'lint', stepName: 'eslint', attempt: 1 })], ctx);
    assert.equal(body.conclusion, 'failure');
    assert.equal(body.output.title, 'failed: build › test (attempt 2)');
    assert.match(body.output.summary, /\| {2}\| test \| ❌ failure \| 1m 2s \| 2 \|/);
    assert.match(body.output.summary, /\| {2}\| package \| ⏭️ skipped \| 0s \| 2 \|/);
    assert.ok(body.output.summary.includes('- **build**: step 2 (test) exited with code 1'));
    const text = body.output.text!;
    assert.ok(text.startsWith('### ❌ build › test (attempt 2): failure\n'));
    assert.ok(text.includes('full log: https://ci.example.com/runs/r1?group=build&step=1&attempt=2'));
    assert.ok(text.includes('```\nnpm test\nnot ok 1 - adds\nError: 1 !== 2\n```'));
    assert.ok(!text.includes('eslint'), 'only failing steps are shown');
    assert.deepEqual(body.actions, [{ label: 'Re-run failed groups', description: 'Run only the groups that failed', identifier: 'rerun-failed' }]);
    github.acceptsCheckRun(body);
  });

  it('the re-run button fits GitHub’s limits on its texts', () => {
    const [action] = checkRunBody(failing(), [], ctx).actions!;
    assert.ok(action!.label.length <= 20, 'label ≤ 20 characters');
    assert.ok(action!.description.length <= 40, 'description ≤ 40 characters');
    assert.ok(action!.identifier.length <= 20, 'identifier ≤ 20 characters');
  });

  it('a retried run says which steps passed on retry', () => {
    const body = checkRunBody(run('success', [group('build', 'success', [step(0, 'checkout', 'success'), step(1, 'test', 'success')], [step(0, 'checkout', 'success'), step(1, 'test', 'failure')]), group('lint', 'success', [step(0, 'eslint', 'success')])]), [], ctx);
    assert.match(body.output.summary, /\| build \| checkout \| ✅ success \| 10s \| 2 \|/, 'passed before too');
    assert.match(body.output.summary, /\| {2}\| test \| ✅ success \(passed on retry\) \| 10s \| 2 \|/);
    assert.match(body.output.summary, /\| lint \| eslint \| ✅ success \| 10s \| 1 \|/);
    github.acceptsCheckRun(body);
  });

  it('log lines cannot close the code block they are shown in', () => {
    const text = checkRunBody(failing(), [tail(['```', 'echo "````"', '# heading'])], ctx).output.text!;
    assert.ok(text.includes('\n`````\n```\necho "````"\n# heading\n`````'), text);
  });

  it('colours and carriage-return progress are shown as a terminal would show them', () => {
    const text = checkRunBody(failing(), [tail(['\u001b[31mred\u001b[0m', '10%\r50%\r100%'])], ctx).output.text!;
    assert.ok(text.includes('\nred\n100%\n'), text);
  });

  it('a 70 kB tail of multi-byte characters is cut to 65,535 bytes, keeping its end, with a note and a link', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `ligne ${i} — échec 測試 🚀 ${'é'.repeat(12)}`);
    assert.ok(bytes(lines.join('\n')) > 70_000);
    const body = checkRunBody(failing(), [tail(lines)], ctx);
    const text = body.output.text!;
    assert.ok(bytes(text) <= 65_535, `${bytes(text)} bytes`);
    assert.ok(bytes(text) > 60_000, 'uses the room it has');
    assert.ok(!text.includes('\uFFFD'), 'no code point was split');
    assert.ok(text.includes("… cut to fit GitHub's limit; full log: https://ci.example.com/runs/r1?group=build&step=1&attempt=2"));
    assert.ok(text.includes(`${lines.at(-1)!}\n\`\`\``), 'the last line is kept');
    assert.ok(!text.includes('ligne 0 '), 'the first lines go');
    github.acceptsCheckRun(body);
  });

  it('several long tails share the room; one huge line keeps its end', () => {
    const long = Array.from({ length: 1500 }, (_, i) => `build line ${i} ${'x'.repeat(40)}`);
    const huge = `start ${'ü'.repeat(50_000)} END`;
    const body = checkRunBody(failing(), [tail(long), tail([huge], { group: 'lint', stepName: 'eslint', attempt: 1, step: 0 }), tail(['short'], { group: 'docs', step: 0, stepName: 'build docs', attempt: 1, status: 'timed_out' })], ctx);
    const text = body.output.text!;
    assert.ok(bytes(text) <= 65_535);
    assert.ok(text.includes('build line 1499'));
    assert.ok(text.includes('ü END\n'));
    assert.ok(text.includes('\nshort\n'), 'a short tail is kept whole');
    github.acceptsCheckRun(body);
  });

  it('a run with many groups keeps its summary within 65,535 bytes', () => {
    const groups = Array.from({ length: 400 }, (_, i) => group(`group_${i}`, 'failure', [step(0, `a step with a long name ${'n'.repeat(60)}`, 'failure')], undefined, 'm'.repeat(300)));
    const body = checkRunBody(run('failure', groups), [], ctx);
    assert.ok(bytes(body.output.summary) <= 65_535);
    assert.ok(body.output.summary.endsWith("… cut to fit GitHub's limit; full log: https://ci.example.com/runs/r1"));
    assert.ok([...body.output.title].length <= 200, body.output.title);
    assert.match(body.output.title, /^failed: group_0 › a step with a long name n+, group_1 › a step with a long name n+… and 398 more$/);
    github.acceptsCheckRun(body);
  });

  it('without a public URL: no details_url, and the CLI command to read the log', () => {
    const body = checkRunBody(failing(), [tail(['boom'])], {});
    assert.equal(body.details_url, undefined);
    assert.ok(body.output.summary.endsWith('Full log: `pistages logs r1`'));
    assert.ok(body.output.text!.includes('full log: `pistages logs r1`'));
    github.acceptsCheckRun(body);
  });

  it('a run without a commit has no check run', () => {
    assert.throws(() => checkRunBody({ ...passing(), sha: undefined }, [], ctx), /no commit sha/);
  });
});
