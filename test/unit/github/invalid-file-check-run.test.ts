import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { invalidFileCheckRun } from '../../../src/github/checks.ts';
import { GithubContract, SHA } from './check-fixtures.ts';

let github: GithubContract;
before(async () => {
  github = await GithubContract.load();
});

describe('invalidFileCheckRun', () => {
  const issues = Array.from({ length: 120 }, (_, i) => ({ line: i + 1, col: 3, message: `problem ${i + 1}: unknown key 'imgae'; did you mean 'image'?` }));

  it('a failed check named after the file, listing its problems', () => {
    const { body } = invalidFileCheckRun('.pistages/build.yaml', SHA, issues.slice(0, 2));
    assert.equal(body.name, '.pistages/build.yaml');
    assert.equal(body.head_sha, SHA);
    assert.equal(body.status, 'completed');
    assert.equal(body.conclusion, 'failure');
    assert.equal(body.output.title, 'invalid job file');
    assert.ok(body.output.summary.includes('2 problems'));
    assert.ok(body.output.summary.includes("- line 2, column 3: problem 2: unknown key 'imgae'; did you mean 'image'?"));
    github.acceptsCheckRun(body);
  });

  it('120 problems become annotations in batches of at most 50, each one GitHub accepts', () => {
    const { body, annotationBatches } = invalidFileCheckRun('.pistages/build.yaml', SHA, issues);
    assert.deepEqual(
      annotationBatches.map((batch) => batch.length),
      [50, 50, 20],
    );
    assert.deepEqual(annotationBatches[1]![0], {
      path: '.pistages/build.yaml',
      start_line: 51,
      end_line: 51,
      start_column: 3,
      end_column: 3,
      annotation_level: 'failure',
      message: "problem 51: unknown key 'imgae'; did you mean 'image'?",
      title: 'invalid job file',
    });
    for (const batch of annotationBatches) {
      const update = { output: { ...body.output, annotations: batch } };
      assert.ok(github.acceptsUpdate(update));
    }
    const tooMany = { output: { ...body.output, annotations: annotationBatches.flat() } };
    assert.equal(github.acceptsUpdate(tooMany), false, 'GitHub takes 50 per request');
  });
});
