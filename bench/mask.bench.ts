/**
 * Masking throughput: a 50 MB synthetic build log (paths, hashes, timings, base64 and hex blobs)
 * with 5 secrets, each printed now and then in one of its forms, masked in 64 KiB chunks.
 * Prints MB/s for the plain-only masker Pistages had before forms (kept below as the baseline,
 * measured in the same run), for the current masker on one stream, and on stdout and stderr
 * interleaved; and the ratio of each to the baseline.
 * Run: node --import tsx bench/mask.bench.ts
 */
import { performance } from 'node:perf_hooks';
import { createMasker } from '../src/executor/log/mask.ts';

const MB = 1024 * 1024;
const LOG_BYTES = 50 * MB;
const CHUNK = 64 * 1024;
const ROUNDS = 3;
/** made-up values shaped like common credentials (a token, a password, a key id, a key with slashes) */
const SECRETS = ['bench-t0k3n-R4nd0mV4lu3F0rB3nch', 'hunter2-but-longer', 'p@ss w0rd/with?chars&more', 'BENCHKEYID0123456789', 'bench/Secret+Key/with/slashes/0123456789abc'];

/** a deterministic pseudo-random source, so every run masks the same text */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

function syntheticLog(): string {
  const next = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const words = ['Compiling', 'Downloading', 'Linking', 'warning:', 'src/server/routes/api.ts', 'node_modules/.bin/tsc', 'PASS', 'ok', 'took', 'ms', 'layer', 'sha256:', 'GET /healthz 200', 'npm', 'info', 'test/unit/executor/log/mask.test.ts'];
  const forms = (s: string): string[] => [s, s.toUpperCase(), Buffer.from(s).toString('hex'), encodeURIComponent(s), Buffer.from(`user:${s}`).toString('base64'), JSON.stringify({ token: s })];
  const lines: string[] = [];
  let bytes = 0;
  while (bytes < LOG_BYTES) {
    const r = next();
    let line: string;
    if (r < 0.0005) line = `auth ${pick(forms(pick(SECRETS)))} done`;
    else if (r < 0.1) line = `${pick(words)} ${Buffer.from(String(next())).toString('base64')}${Math.floor(next() * 1e9).toString(16)}`;
    else line = Array.from({ length: 4 + Math.floor(next() * 10) }, () => pick(words)).join(' ') + ` ${Math.floor(next() * 1000)} ms`;
    lines.push(line);
    bytes += line.length + 1;
  }
  return lines.join('\n') + '\n';
}

function chunks(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += CHUNK) out.push(text.slice(i, i + CHUNK));
  return out;
}

function measure(name: string, parts: string[], run: (parts: string[]) => string): { name: string; mbps: number; out: string } {
  let best = Infinity;
  let out = '';
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    out = run(parts);
    best = Math.min(best, performance.now() - started);
  }
  const mb = parts.reduce((n, p) => n + p.length, 0) / MB;
  return { name, mbps: mb / (best / 1000), out };
}

const text = syntheticLog();
const parts = chunks(text);
const masker = createMasker(SECRETS);
const results = [
  measure('plain-only masker (before forms)', parts, (ps) => {
    const s = createOldMasker(SECRETS);
    return ps.map((p) => s.push(p)).join('') + s.end();
  }),
  measure('forms, one stream', parts, (ps) => {
    const s = masker.stream();
    return ps.map((p) => s.push(p)).join('') + s.end();
  }),
  measure('forms, stdout and stderr interleaved', parts, (ps) => {
    const s = masker.interleaved<number>();
    const out: string[] = [];
    ps.forEach((p, i) => out.push(...s.push(i % 2, p).map(([, t]) => t)));
    return out.join('') + s.end().map(([, t]) => t).join('');
  }),
];
const [baseline] = results;
console.log(`${(text.length / MB).toFixed(0)} MB log, ${SECRETS.length} secrets (${masker.values.length} forms), ${CHUNK / 1024} KiB chunks, best of ${ROUNDS}`);
for (const r of results) {
  const masked = r.out.split('***').length - 1;
  console.log(`${r.name}: ${r.mbps.toFixed(0)} MB/s (${(r.mbps / (baseline?.mbps ?? 1)).toFixed(2)}× the plain-only masker), ${masked} values masked`);
}

/** The masker before secret forms (plain values, per-value indexOf), as the baseline. */
function createOldMasker(secrets: string[]): { push(text: string): string; end(): string } {
  const values = [...new Set(secrets.filter((s) => s.length >= 3))].sort((a, b) => b.length - a.length);
  let held = '';
  const firstPossibleStart = (buf: string, from: number): number => {
    const longest = values[0]?.length ?? 0;
    for (let at = Math.max(from, buf.length - longest + 1); at < buf.length; at++) {
      for (const value of values) if (value.length > buf.length - at && value.startsWith(buf.slice(at))) return at;
    }
    return -1;
  };
  const scan = (buf: string, final: boolean): string => {
    let out = '';
    let from = 0;
    const next = values.map((value) => buf.indexOf(value));
    let undecided = final ? -1 : firstPossibleStart(buf, 0);
    for (;;) {
      let at = -1;
      let length = 0;
      values.forEach((value, i) => {
        let pos = next[i] ?? -1;
        if (pos !== -1 && pos < from) next[i] = pos = buf.indexOf(value, from);
        if (pos !== -1 && (at === -1 || pos < at)) [at, length] = [pos, value.length];
      });
      if (undecided !== -1 && undecided < from) undecided = firstPossibleStart(buf, from);
      if (undecided !== -1 && (at === -1 || undecided <= at)) {
        held = buf.slice(undecided);
        return out + buf.slice(from, undecided);
      }
      if (at === -1) {
        held = '';
        return out + buf.slice(from);
      }
      out += buf.slice(from, at) + '***';
      from = at + length;
    }
  };
  return { push: (text) => scan(held + text, false), end: () => scan(held, true) };
}
