import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { LogLineEvent } from '../../../../src/executor/events.ts';
import { createMasker, type Masker } from '../../../../src/executor/log/mask.ts';
import { createStepLog } from '../../../../src/executor/log/step-log.ts';

type Stream = 'out' | 'err';
const TOKEN = 'tok3n-Secr3t/value';

/** feeds (stream, text) parts in order; returns each stream's output and what each push released */
function run(masker: Masker, parts: [Stream, string][]): { out: string; err: string; released: [Stream, string][][] } {
  const m = masker.interleaved<Stream>();
  const released = parts.map(([stream, text]) => m.push(stream, text));
  released.push(m.end());
  const text = (stream: Stream): string => released.flat().filter(([s]) => s === stream).map(([, t]) => t).join('');
  return { out: text('out'), err: text('err'), released };
}

describe('masking stdout and stderr together', () => {
  it('masks a value printed half on stdout and half on stderr, whichever half arrives first', () => {
    const m = createMasker([TOKEN]);
    const halves = (parts: [Stream, string][]) => {
      const { out, err } = run(m, parts);
      return { out, err };
    };
    assert.deepEqual(halves([['out', 'x tok3n-Se'], ['err', 'cr3t/value y\n'], ['out', '\n']]), { out: 'x ***\n', err: '*** y\n' });
    assert.deepEqual(halves([['out', 'tok3n-Se\n'], ['err', 'cr3t/value\n']]), { out: '***\n', err: '***\n' });
    // as Docker delivers `printf %s "${T:0:8}"; printf '%s\n' "${T:8}" >&2; echo done`
    assert.deepEqual(halves([['err', 'cr3t/value\n'], ['out', 'tok3n-Se\ndone\n']]), { out: '***\ndone\n', err: '***\n' });
    assert.deepEqual(halves([['out', 'tok3n-Se\ndone\n'], ['err', 'cr3t/value\n']]), { out: '***\ndone\n', err: '***\n' });
  });

  it('holds a line that may be half of a value only until the other stream prints', () => {
    const { released } = run(createMasker([TOKEN]), [['out', 'tok3n-Se\n'], ['out', 'more\n'], ['err', 'unrelated\n'], ['out', 'after\n']]);
    assert.deepEqual(released, [[], [], [['out', 'tok3n-Se\nmore\n'], ['err', 'unrelated\n']], [['out', 'after\n']], []]);
  });

  it('masks a value on one stream while the other prints in between', () => {
    const { out, err, released } = run(createMasker([TOKEN]), [['out', 'tok3n-Se'], ['err', 'progress 10%\n'], ['out', 'cr3t/value\n']]);
    assert.deepEqual([out, err], ['***\n', 'progress 10%\n']);
    assert.deepEqual(released[1], [['err', 'progress 10%\n']], 'the other stream is not held back');
  });

  it('releases ordinary lines of both streams at once', () => {
    const { released } = run(createMasker([TOKEN]), [['out', 'one\n'], ['err', 'two\n'], ['out', 'three tok\n'], ['err', 'four\n']]);
    assert.deepEqual(released, [
      [['out', 'one\n']],
      [['err', 'two\n']],
      [['out', 'three ']], // `tok` may go on as `tok3n-…` on the next line of stdout
      [['err', 'four\n']],
      [['out', 'tok\n']],
    ]);
  });

  it('shows at most three characters of a value split between the streams, in either order, and chunking within a stream changes nothing (property)', () => {
    const noiseLine = fc.constantFrom('x\n', ' \n', 'line zz\n', 'ok\n');
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é', '/', '1'), minLength: 8, maxLength: 24 }),
        fc.nat(),
        fc.constantFrom<Stream>('out', 'err'),
        fc.boolean(),
        fc.array(fc.tuple(fc.constantFrom<Stream>('out', 'err'), noiseLine), { maxLength: 4 }),
        fc.tuple(fc.constantFrom('', 'key: ', 'x'), fc.constantFrom('', '\n', '\nline zz\n'), fc.constantFrom('', ' rest', 'x')),
        fc.array(fc.nat(), { maxLength: 6 }),
        (secret, at, first, firstHalfFirst, noise, [before, afterFirst, afterSecond], cuts) => {
          const k = 1 + (at % (secret.length - 1));
          const second: Stream = first === 'out' ? 'err' : 'out';
          const halves: [Stream, string][] = [
            [first, before + secret.slice(0, k) + afterFirst],
            [second, secret.slice(k) + afterSecond + '\n'],
          ];
          if (!firstHalfFirst) halves.reverse();
          const parts: [Stream, string][] = [...noise.slice(0, 2), ...halves, ...noise.slice(2)];
          const masker = createMasker([secret]);
          const whole = run(masker, parts);
          const shown = (whole.out + whole.err).match(/[abcé/1]/g) ?? [];
          assert.ok(shown.length <= 3, `${shown.length} characters of ${secret} (split after ${k}) shown: ${JSON.stringify(whole)}`);
          // cutting a part in two keeps the order of the streams' chunks: the result must not change
          const cut = cuts.reduce<[Stream, string][]>((acc, c) => {
            const i = c % acc.length;
            const [stream, text] = acc[i] as [Stream, string];
            const where = c % (text.length + 1);
            return [...acc.slice(0, i), [stream, text.slice(0, where)], [stream, text.slice(where)], ...acc.slice(i + 1)];
          }, parts);
          const chunked = run(masker, cut);
          assert.deepEqual([chunked.out, chunked.err], [whole.out, whole.err]);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('step log over both streams', () => {
  it('masks a value printed half on stdout and half on stderr in the stored lines', async () => {
    const events: LogLineEvent[] = [];
    const log = createStepLog({
      runId: 'r', group: 'g', step: 0, attempt: 1, capBytes: 1 << 20, clock: () => new Date(0),
      masker: createMasker([TOKEN]),
      onEvent: (e) => void (e.type === 'log' && events.push(e)),
    });
    await log.sink('stdout', Buffer.from('key: tok3n-Se'));
    await log.sink('stderr', Buffer.from('cr3t/value\nwarning: done\n'));
    await log.sink('stdout', Buffer.from('\nok\n'));
    await log.close();
    assert.deepEqual(events.map((e) => [e.stream, e.line]), [
      ['stderr', '***'],
      ['stderr', 'warning: done'],
      ['stdout', 'key: ***'],
      ['stdout', 'ok'],
    ]);
  });
});
