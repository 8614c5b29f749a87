import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { LogLineEvent, RunEvent } from '../../../src/executor/events.ts';
import { LineSplitter } from '../../../src/executor/log/line-splitter.ts';
import { createMasker, secretValuesToMask } from '../../../src/executor/log/mask.ts';
import { createStepLog, formatBytes } from '../../../src/executor/log/step-log.ts';
import type { StepLogOptions } from '../../../src/executor/log/step-log.ts';

function split(chunks: string[], max?: number): string[] {
  const s = new LineSplitter(max);
  return [...chunks.flatMap((c) => s.push(c)), ...s.end()];
}

describe('LineSplitter', () => {
  it('splits on \\n and drops the \\r of \\r\\n, also when \\r and \\n arrive in different chunks', () => {
    assert.deepEqual(split(['a\nb\r\nc']), ['a', 'b', 'c']);
    assert.deepEqual(split(['a\r', '\nb']), ['a', 'b']);
  });

  it('joins partial lines across chunks and emits a last line without newline at the end', () => {
    assert.deepEqual(split(['he', 'llo\nwor', 'ld']), ['hello', 'world']);
    assert.deepEqual(split(['done\n']), ['done']);
  });

  it('keeps empty lines and lone \\r (progress bars)', () => {
    assert.deepEqual(split(['\n\nx\n']), ['', '', 'x']);
    assert.deepEqual(split(['10%\r50%\r100%\n']), ['10%\r50%\r100%']);
  });

  it('cuts lines longer than the limit, also when they arrive without a newline', () => {
    assert.deepEqual(split(['abcdefghij\n'], 4), ['abcd', 'efgh', 'ij']);
    assert.deepEqual(split(['ab', 'cd', 'ef', 'g'], 4), ['abcd', 'efg']);
  });

  it('never cuts a surrogate pair in two', () => {
    const lines = split(['ab😀cd\n'], 3);
    assert.deepEqual(lines, ['ab', '😀c', 'd']);
  });

  it('holds at most one line of memory however long the input', () => {
    const s = new LineSplitter(1024);
    let emitted = 0;
    for (let i = 0; i < 2000; i++) emitted += s.push('x'.repeat(1000)).length;
    assert.equal(emitted, 1953); // 2,000,000 chars / 1024 per line
    assert.equal(s.end()[0]?.length, 2_000_000 - 1953 * 1024);
  });
});

describe('masking', () => {
  it('masks every occurrence', () => {
    const m = createMasker(['hunter2']);
    assert.equal(m.maskText('hunter2 and hunter2hunter2'), '*** and ******');
  });

  it('prefers the longest value starting at the same place', () => {
    assert.equal(createMasker(['abc', 'abcdef']).maskText('xabcdefx abcx'), 'x***x ***x');
  });

  it('ignores values shorter than 3 characters', () => {
    assert.equal(createMasker(['', 'a', 'no']).maskText('a no'), 'a no');
  });

  it('masks multi-line values whole, line by line, and with \\r\\n line ends', () => {
    const key = 'first-line-of-value\nsecondline\nTHIRD\nlast-line-of-value';
    const m = createMasker([key]);
    assert.equal(m.maskText(`x${key}y`), 'x***y');
    assert.equal(m.maskText(key.replaceAll('\n', '\r\n')), '***');
    assert.equal(m.maskText('only secondline leaked'), 'only *** leaked');
    assert.ok(secretValuesToMask([key]).includes('THIRD'));
  });

  it('masks a secret split across chunks, and releases text that cannot be a secret at once', () => {
    const s = createMasker(['password123']).stream();
    assert.equal(s.push('line one\nmy pass'), 'line one\nmy ');
    assert.equal(s.push('word1'), '');
    assert.equal(s.push('23 ok\n'), '*** ok\n');
    assert.equal(s.push('passport'), 'passport');
    assert.equal(s.push('pass'), '');
    assert.equal(s.end(), 'pass');
  });

  it('masks the same way however the stream is chunked, and never leaks a secret (property)', () => {
    const piece = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '\n', '\r', 'é'), maxLength: 8 });
    const secret = fc.string({ unit: fc.constantFrom('a', 'b', '\n', 'é'), minLength: 3, maxLength: 7 });
    fc.assert(
      fc.property(
        fc.array(secret, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(piece, fc.nat()), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (secrets, parts, cuts) => {
          const text = parts.map(([p, i]) => p + secrets[i % secrets.length]).join('');
          const masker = createMasker(secrets);
          const whole = masker.maskText(text);
          const stream = masker.stream();
          let out = '';
          for (const chunk of chunk_(text, cuts)) out += stream.push(chunk);
          out += stream.end();
          assert.equal(out, whole);
          for (const s of secrets) assert.ok(!whole.includes(s), `leaked ${JSON.stringify(s)} in ${JSON.stringify(whole)}`);
        },
      ),
      { numRuns: 500 },
    );
  });
});

function chunk_(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const p of [...points, text.length]) {
    chunks.push(text.slice(from, p));
    from = p;
  }
  return chunks;
}

function stepLog(overrides: Partial<StepLogOptions> = {}) {
  const events: LogLineEvent[] = [];
  let tick = 0;
  const log = createStepLog({
    runId: 'r',
    group: 'g',
    step: 1,
    attempt: 2,
    onEvent: (e: RunEvent) => void (e.type === 'log' && events.push(e)),
    masker: createMasker(['s3cr3t']),
    capBytes: 1024 * 1024,
    clock: () => new Date(tick++ * 1000),
    ...overrides,
  });
  return { log, events };
}

describe('step log', () => {
  it('numbers lines of both streams from 0 without gaps, stamps them, and keeps their stream', async () => {
    const { log, events } = stepLog();
    await log.sink('stdout', Buffer.from('out 1\nout'));
    await log.sink('stderr', Buffer.from('err 1\n'));
    await log.system('note');
    await log.sink('stdout', Buffer.from(' 2\n'));
    await log.close();
    assert.deepEqual(
      events.map((e) => [e.seq, e.stream, e.line, e.at.getTime(), e.group, e.step, e.attempt]),
      [
        [0, 'stdout', 'out 1', 0, 'g', 1, 2],
        [1, 'stderr', 'err 1', 1000, 'g', 1, 2],
        [2, 'system', 'note', 2000, 'g', 1, 2],
        [3, 'stdout', 'out 2', 3000, 'g', 1, 2],
      ],
    );
  });

  it('decodes UTF-8 characters split between chunks and flushes the last line on close', async () => {
    const { log, events } = stepLog();
    const bytes = Buffer.from('héllo wörld');
    await log.sink('stdout', bytes.subarray(0, 2));
    await log.sink('stdout', bytes.subarray(2, 9));
    await log.sink('stdout', bytes.subarray(9));
    await log.close();
    assert.deepEqual(events.map((e) => e.line), ['héllo wörld']);
  });

  it('masks secrets across chunks and in system lines', async () => {
    const { log, events } = stepLog();
    await log.sink('stdout', Buffer.from('key=s3'));
    await log.sink('stdout', Buffer.from('cr3t\ntail s3cr'));
    await log.system('auth s3cr3t failed');
    await log.close();
    assert.deepEqual(events.map((e) => e.line), ['key=***', 'auth *** failed', 'tail s3cr']);
  });

  it('masks exactly like masking the whole text, for any chunking of the bytes (property)', async () => {
    const secrets = ['päss\nwörd', 'tok€n42'];
    const piece = fc.constantFrom('x', 'ä', '€', '\n', '\r\n', 'päss', 'wörd', 'tok€n42', 'päss\nwörd', '😀');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 12 }), async (pieces, cuts) => {
        const text = pieces.join('');
        const masker = createMasker(secrets);
        const { log, events } = stepLog({ masker });
        const bytes = Buffer.from(text);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        let from = 0;
        for (const p of [...points, bytes.length]) {
          await log.sink('stdout', bytes.subarray(from, p));
          from = p;
        }
        await log.close();
        assert.deepEqual(events.map((e) => e.line), split([masker.maskText(text)]));
        for (const e of events) for (const part of ['päss', 'wörd', 'tok€n42']) assert.ok(!e.line.includes(part));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps at most capBytes, then one truncation line, and drains the rest', async () => {
    const { log, events } = stepLog({ capBytes: 10 });
    await log.sink('stdout', Buffer.from('1234\n'));
    await log.sink('stderr', Buffer.from('ab\n'));
    await log.sink('stdout', Buffer.from('this one is too long\nmore\n'));
    await log.sink('stdout', Buffer.from('x'.repeat(100_000)));
    await log.system('exit code 1');
    await log.close();
    assert.deepEqual(events.map((e) => e.line), [
      '1234',
      'ab',
      "log truncated: 10 bytes limit reached; the rest of this step's output was dropped",
      'exit code 1',
    ]);
    assert.equal(log.truncated, true);
  });

  it('does not resolve a chunk until its log events were delivered (backpressure)', async () => {
    const pending: (() => void)[] = [];
    const { log } = stepLog({ onEvent: () => new Promise<void>((resolve) => pending.push(resolve)) });
    let done = false;
    const written = log.sink('stdout', Buffer.from('a\nb\n')).then(() => (done = true));
    await turn();
    assert.equal(pending.length, 1, 'the second line waits for the first to be delivered');
    pending.shift()?.();
    await turn();
    assert.equal(done, false);
    pending.shift()?.();
    await written;
    assert.equal(done, true);
  });

  it('uses flat memory for a gigabyte-scale stream without newlines', async () => {
    let lines = 0;
    let longest = 0;
    const log = createStepLog({
      runId: 'r', group: 'g', step: 0, attempt: 1, capBytes: Number.MAX_SAFE_INTEGER, clock: () => new Date(0),
      masker: createMasker(['s3cr3t-value']),
      onEvent: (e) => {
        if (e.type === 'log') [lines, longest] = [lines + 1, Math.max(longest, e.line.length)];
      },
    });
    const chunk = Buffer.alloc(64 * 1024, 'y');
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 3200; i++) await log.sink('stdout', chunk); // 200 MiB
    await log.close();
    const grown = process.memoryUsage().heapUsed - before;
    assert.equal(lines, 3200);
    assert.equal(longest, 64 * 1024);
    assert.ok(grown < 64 * 1024 * 1024, `heap grew by ${grown} bytes`);
  });

  it('formats limits for people', () => {
    assert.deepEqual([formatBytes(10 * 1024 * 1024), formatBytes(1536), formatBytes(100)], ['10 MB', '1.5 KB', '100 bytes']);
  });
});

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
