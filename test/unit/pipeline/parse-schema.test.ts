/**
 * The schema editors load (schema/pistages.schema.json) must be the schema parseJob validates with,
 * and it must work in a plain ajv as editors' validators use it; the validator parseJob runs
 * (src/pipeline/job-schema-validator.generated.js) must be compiled from that same schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { jobSchema } from '../../../src/pipeline/schema.ts';
import { parseJob } from '../../../src/pipeline/parse.ts';
import { formatIssue } from '../../../src/pipeline/errors.ts';
import { schemaValidatorSource } from '../../../scripts/schema-validator-source.ts';

const shipped: unknown = JSON.parse(readFileSync(new URL('../../../schema/pistages.schema.json', import.meta.url), 'utf8'));

test('schema/pistages.schema.json equals the schema parseJob uses (run `npm run schema` to refresh it)', () => {
  assert.deepEqual(shipped, JSON.parse(JSON.stringify(jobSchema)));
});

test('the compiled validator is generated from the current schema (run `npm run schema` to refresh it)', () => {
  const generated = readFileSync(new URL('../../../src/pipeline/job-schema-validator.generated.js', import.meta.url), 'utf8');
  assert.ok(generated === schemaValidatorSource(jobSchema), 'src/pipeline/job-schema-validator.generated.js is out of date: run `npm run schema`');
});

test('the shipped schema compiles in a default ajv (draft-07) and agrees with parseJob', () => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(shipped as object);
  const samples = [
    'name: A\nrun: make\n',
    'name: A\nuses:\n  main:\n    - dep: Clone Repo\n      with: {repo: x}\n',
    'name: A\nrun: make\nuses:\n  main: [{run: x}]\n',
    'name: A\nuses:\n  main:\n    - dep: x\n      imgae: y\n',
    'name: A\nrun: make\nretry: -1\n',
    'run: make\n',
  ];
  for (const text of samples) {
    const { issues } = parseJob(text, 'a.yaml');
    assert.equal(validate(parseYaml(text)), issues.length === 0, text);
  }
});

test('every complete example in docs/job-format.md is valid; invalid ones print the messages shown', () => {
  const docs = readFileSync(new URL('../../../docs/job-format.md', import.meta.url), 'utf8');
  const blocks = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const complete = blocks.filter((b) => /^(# yaml-language-server.*\n)?name:/.test(b));
  assert.ok(complete.length >= 8, `only ${complete.length} complete examples`);
  for (const block of complete) assert.deepEqual(parseJob(block, 'doc.yaml').issues.map(formatIssue), [], block);

  // An invalid example is a yaml block starting with "# invalid", followed by a text block of its messages.
  const invalid = [...docs.matchAll(/```yaml\n(# invalid[\s\S]*?)```\s*```text\n([\s\S]*?)```/g)];
  assert.ok(invalid.length >= 2, `only ${invalid.length} invalid examples`);
  for (const [, yaml = '', printed = ''] of invalid) {
    assert.deepEqual(parseJob(yaml, 'build.yaml').issues.map(formatIssue), printed.trimEnd().split('\n'));
  }
});
