import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { base64Fragments, jsonForms, secretForms, urlForms } from '../../../../src/executor/log/secret-forms.ts';

describe('secret forms', () => {
  it('lists the plain value, its case variants, hex, URL, JSON and base64 forms', () => {
    const forms = secretForms(['p@ss w/örd']);
    for (const form of [
      'p@ss w/örd',
      'P@SS W/ÖRD',
      Buffer.from('p@ss w/örd').toString('hex'),
      Buffer.from('p@ss w/örd').toString('hex').toUpperCase(),
      'p%40ss%20w%2F%C3%B6rd',
      'p%40ss+w%2F%C3%B6rd',
      'p%40ss%20w%2f%c3%b6rd',
      'p@ss w\\/örd',
      'p@ss w/\\u00f6rd',
      Buffer.from('p@ss w/örd').toString('base64').slice(0, -2),
    ]) {
      assert.ok(forms.includes(form), `missing ${form}`);
    }
    assert.deepEqual(forms, [...forms].sort((a, b) => b.length - a.length), 'longest first');
  });

  it('escapes what the stricter URL encoders and JSON escape', () => {
    assert.ok(urlForms("it's(x)").includes('it%27s%28x%29'));
    assert.ok(jsonForms('a"b\\c\n').includes('a\\"b\\\\c\\n'));
  });

  it('finds the base64 of a value inside the base64 of any longer text (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 3, maxLength: 40 }), fc.string({ maxLength: 7 }), fc.string({ maxLength: 4 }), (value, before, after) => {
        const encoded = Buffer.from(before + value + after).toString('base64');
        const url = Buffer.from(before + value + after).toString('base64url');
        const fragments = base64Fragments(value);
        assert.ok(fragments.some((f) => f !== '' && encoded.includes(f)) || Buffer.byteLength(value) < 3);
        assert.ok(fragments.some((f) => f !== '' && url.includes(f)) || Buffer.byteLength(value) < 3);
      }),
      { numRuns: 300 },
    );
  });

  it('skips secrets shorter than 3 characters and base64 fragments shorter than 6', () => {
    assert.deepEqual(secretForms(['', 'ab']), []);
    const forms = secretForms(['abcd']);
    assert.ok(forms.includes('abcd') && forms.includes('ABCD') && forms.includes('61626364'));
    assert.ok(forms.every((f) => f.length >= 3));
    assert.ok(!forms.includes('YWJjZA'.slice(0, 5)), 'the 5-character base64 of abcd is not masked');
  });

  it('masks a multi-line value whole, with either line end, and line by line', () => {
    const forms = secretForms(['-----BEGIN-----\nline1\r\nline2']);
    for (const form of ['-----BEGIN-----\nline1\nline2', '-----BEGIN-----\r\nline1\r\nline2', 'line1', 'line2', '-----BEGIN-----']) {
      assert.ok(forms.includes(form), `missing ${JSON.stringify(form)}`);
    }
  });
});
