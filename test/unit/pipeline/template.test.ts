import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createTemplates,
  findStepOutputRefs,
  references,
  render,
  renderStepOutputs,
  TemplateError,
} from '../../../src/pipeline/template.ts';

const templateError = (kind: TemplateError['kind'], pattern: RegExp) => (e: unknown) =>
  e instanceof TemplateError && e.kind === kind && pattern.test(e.message);

test('{{ .name }}, {{ name }}, triple-stache and & are the same reference', () => {
  const view = { repo: 'git@github.com:projecteru2/pistages.git' };
  assert.equal(render('git clone {{ .repo }}', view), 'git clone git@github.com:projecteru2/pistages.git');
  assert.equal(render('{{repo}}|{{ repo }}|{{.repo}}|{{{ repo }}}|{{& .repo }}', { repo: 'r' }), 'r|r|r|r|r');
});

test('never HTML-escapes values', () => {
  const value = `a&b <c> "d" 'e' /f \`g\` =h`;
  assert.equal(render('echo {{ .v }}', { v: value }), `echo ${value}`);
  assert.equal(render('{{ v }}', { v: 'a&b' }), 'a&b');
});

test('numbers and booleans render as text', () => {
  assert.equal(render('-j{{ .jobs }} {{ verbose }}', { jobs: 4, verbose: false }), '-j4 false');
});

test('dotted paths walk nested maps', () => {
  assert.equal(render('{{ .a.b }}-{{ a.c.d }}', { a: { b: 'x', c: { d: 1 } } }), 'x-1');
});

test('text without templates is returned unchanged, including stray braces', () => {
  for (const text of ['', 'make build', 'echo }} {', 'a { b }', 'awk "{print $1}"']) {
    assert.equal(render(text, {}), text);
    assert.equal(render(render(text, {}), {}), text);
  }
});

test('an unresolved reference is an error naming every missing name, never an empty string', () => {
  assert.throws(
    () => render('git clone {{ .repo }} {{ .dir }} {{ .repo }}', {}),
    (e: unknown) => e instanceof TemplateError && e.kind === 'unresolved' && e.names.join() === 'repo,dir',
  );
  // prototype properties are not parameters
  assert.throws(() => render('{{ constructor }} {{ toString }}', {}), templateError('unresolved', /'constructor', 'toString'/));
  assert.throws(() => render('{{ .a.missing }}', { a: { b: 1 } }), templateError('unresolved', /'a'/));
  assert.throws(() => render('{{ .a.b }}', { a: 'scalar' }), templateError('unresolved', /'a'/));
});

test('referencing a map rather than a value is an error', () => {
  assert.throws(() => render('{{ .a }}', { a: { b: 1 } }), templateError('not-scalar', /reference one of its keys/));
});

test('sections, inverted sections and partials are rejected with a clear message', () => {
  assert.throws(() => render('{{#items}}x{{/items}}', { items: 'a' }), templateError('unsupported', /section.*only variable references/));
  assert.throws(() => render('{{^items}}x{{/items}}', {}), templateError('unsupported', /inverted section/));
  assert.throws(() => render('{{> other }}', {}), templateError('unsupported', /partial/));
  assert.throws(() => render('{{#open}} never closed', {}), templateError('unsupported', /sections are not supported/));
});

test('malformed tags are syntax errors with a hint', () => {
  assert.throws(() => render('echo {{ .repo', { repo: 'x' }), templateError('syntax', /Unclosed tag.*close every/));
  assert.throws(() => render('{{ }}', {}), templateError('syntax', /not a reference/));
  assert.throws(() => render('{{ . }}', {}), templateError('syntax', /not a reference/));
  assert.throws(() => render('{{ a b }}', {}), templateError('syntax', /not a reference/));
});

test('comments render to nothing; set-delimiters give a way to write a literal {{', () => {
  assert.equal(render('make{{! why: no cache }} all', {}), 'make all');
  assert.equal(
    render(`{{=<% %>=}}docker inspect -f '{{.State.Status}}' <% .name %>`, { name: 'db' }),
    `docker inspect -f '{{.State.Status}}' db`,
  );
});

test('values are pasted once: a value that looks like a template is not rendered again', () => {
  assert.equal(render('{{ .a }}', { a: '{{ .b }}', b: 'no' }), '{{ .b }}');
});

test('references lists top-level names in order of first use', () => {
  assert.deepEqual(references('{{ .repo }} {{ dir }} {{ .repo }} {{ .a.b }}'), ['repo', 'dir', 'a']);
  assert.deepEqual(references('{{ .steps.build.outputs.tag }} {{ x }}'), ['steps', 'x']);
  assert.deepEqual(references('no templates'), []);
  assert.throws(() => references('{{#a}}{{/a}}'), TemplateError);
});

test('step-output references are left intact at plan time, in canonical spelling', () => {
  assert.equal(
    render('docker push {{steps.build.outputs.tag}} {{ .x }}', { x: 1 }),
    'docker push {{ .steps.build.outputs.tag }} 1',
  );
  // even if a parameter happens to be called "steps"
  assert.equal(render('{{ .steps.a.outputs.b }}', { steps: 'p' }), '{{ .steps.a.outputs.b }}');
  assert.throws(() => render('{{ .steps.build }}', {}), templateError('step-output', /\.steps\.<step id>\.outputs\.<key>/));
  assert.throws(() => render('{{ .steps.build.output.tag }}', {}), templateError('step-output', /not a step output/));
});

test('renderStepOutputs fills outputs in verbatim and leaves other braces alone', () => {
  const outputs = { build: { tag: 'img:1&2', digest: 'sha256:ab' } };
  assert.equal(
    renderStepOutputs(`push {{ .steps.build.outputs.tag }} {{steps.build.outputs.digest}} '{{.State}}'`, outputs),
    `push img:1&2 sha256:ab '{{.State}}'`,
  );
  assert.equal(renderStepOutputs('plain', {}), 'plain');
});

test('renderStepOutputs names an unknown step id or key and how to fix it', () => {
  const outputs = { build: { tag: 'x' } };
  assert.throws(
    () => renderStepOutputs('{{ .steps.test.outputs.tag }}', outputs),
    templateError('step-output', /no earlier step with id 'test'.*steps with outputs: build.*PISTAGES_OUTPUT/),
  );
  assert.throws(
    () => renderStepOutputs('{{ .steps.build.outputs.digest }}', outputs),
    templateError('step-output', /step 'build' wrote no output 'digest' \(it wrote: tag\).*digest=value/),
  );
  assert.throws(() => renderStepOutputs('{{ .steps.toString.outputs.x }}', outputs), TemplateError);
});

test('findStepOutputRefs sees what renderStepOutputs will replace', () => {
  assert.deepEqual(findStepOutputRefs('a {{ .steps.s1.outputs.k }} b {{steps.s-2.outputs.k_2}}'), [
    { step: 's1', key: 'k' },
    { step: 's-2', key: 'k_2' },
  ]);
});

test('a Templates instance caches parses and behaves like the plain functions', () => {
  const templates = createTemplates();
  for (let i = 0; i < 3; i++) assert.equal(templates.render('x {{ .a }}', { a: i }), `x ${i}`);
  assert.deepEqual(templates.references('{{ a }}{{ b }}'), ['a', 'b']);
  assert.throws(() => templates.render('{{ nope }}', {}), TemplateError);
});
