/**
 * Planning throughput: 1,000 job files of 10 groups × 20 steps, using composite actions nested three
 * levels deep (Pipeline → Build → Setup → Checkout). Prints files/second and total ms for planning, and
 * as a baseline measured in the same run, the time `yaml` alone takes to parse the same texts; then the
 * time parseJob takes for a file of 10k and of 40k unknown keys (linear: about 4× apart at most).
 * Run: node --import tsx bench/plan.bench.ts
 */
import { performance } from 'node:perf_hooks';
import YAML from 'yaml';
import { buildPlan, createCatalog, parseJob, type JobFile } from '../src/pipeline/index.ts';

const FILES = 1_000;
const GROUPS = 10;
const STEPS = 20;

const ACTIONS = [
  `name: Checkout
image: alpine/git
with: { dir: src }
run: git clone {{ .repo }} {{ .dir }}`,
  `name: Setup
with: { repo: "https://example.com/default.git", lang: go }
env: { LANG_NAME: "{{ .lang }}" }
uses:
  main:
    - dep: Checkout
      with: { repo: "{{ .repo }}" }
    - run: install-toolchain {{ .lang }}`,
  `name: Build
image: golang:1.22
with: { repo: "https://example.com/default.git", target: all }
uses:
  main:
    - dep: Setup
      with: { repo: "{{ .repo }}" }
    - run: make {{ .target }}
      timeout: 10m`,
  `name: Pipeline
image: node:20
with: { repo: "https://example.com/default.git" }
uses:
  main:
    - dep: Build
      with: { repo: "{{ .repo }}", target: release }
    - run: [ "npm ci", "npm test -- --repo {{ .repo }}" ]`,
];

function jobText(n: number): string {
  const lines = [`name: Job ${n}`, 'image: ubuntu:24.04', `with: { repo: "https://example.com/r${n}.git" }`, 'env: { CI: "true" }', 'uses:'];
  for (let g = 0; g < GROUPS; g++) {
    lines.push(`  g${g}:`);
    for (let s = 0; s < STEPS; s++) {
      if (s % 5 === 0) lines.push('    - dep: Pipeline', '      with: { repo: "{{ .repo }}" }');
      else if (s % 5 === 1) lines.push('    - dep: Build', '      with: { target: "t' + s + '" }');
      else if (s % 5 === 2) lines.push('    - run: ls -la', '      image: alpine:3');
      else lines.push(`    - run: echo {{ .repo }} ${g}.${s}`, `      env: { STEP: "${s}" }`);
    }
  }
  return lines.join('\n') + '\n';
}

function parseOrDie(text: string, file: string): JobFile {
  const { job, issues } = parseJob(text, file);
  if (job === undefined || issues.length > 0) throw new Error(`${file}: ${issues.map((i) => i.message).join('; ')}`);
  return job;
}

const { catalog, issues } = createCatalog(ACTIONS.map((text, i) => parseOrDie(text, `actions/a${i}.yaml`)));
if (issues.length > 0) throw new Error(issues.map((i) => i.message).join('\n'));
const texts = Array.from({ length: FILES }, (_, n) => jobText(n));

let t = performance.now();
const jobs = texts.map((text, n) => parseOrDie(text, `jobs/job-${n}.yaml`));
const parseMs = performance.now() - t;

t = performance.now();
for (const text of texts) YAML.parse(text);
const yamlMs = performance.now() - t;

// Warm-up so the JIT compiles the hot paths, then three measured rounds (the first may pay for the
// garbage the parsing left behind); the median is reported.
for (const job of jobs.slice(0, 100)) buildPlan(job, catalog);
let planned = 0;
// CPU time is printed too: on a busy machine it stays meaningful when wall time does not.
const cpuRounds: number[] = [];
const rounds = [0, 1, 2].map(() => {
  planned = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (const job of jobs) for (const group of buildPlan(job, catalog).groups) planned += group.steps.length;
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  cpuRounds.push((used.user + used.system) / 1000);
  return wall;
});
const planMs = [...rounds].sort((a, b) => a - b)[1]!;
const planCpuMs = [...cpuRounds].sort((a, b) => a - b)[1]!;

const rate = (ms: number) => Math.round((FILES / ms) * 1000).toLocaleString('en-US');
console.log(`${FILES} files × ${GROUPS} groups × ${STEPS} steps, composites 3 levels deep → ${planned.toLocaleString('en-US')} planned steps`);
console.log(`baseline  yaml.parse only : ${yamlMs.toFixed(0)} ms  (${rate(yamlMs)} files/s)`);
console.log(`parseJob (yaml + checks)  : ${parseMs.toFixed(0)} ms  (${rate(parseMs)} files/s)`);
console.log(
  `buildPlan (excl. parse)   : ${planMs.toFixed(0)} ms  (${rate(planMs)} files/s)  = ${(planMs / yamlMs).toFixed(2)}× yaml.parse` +
    `  [rounds: ${rounds.map((ms) => ms.toFixed(0)).join(', ')} ms]`,
);
console.log(`buildPlan CPU time (median): ${planCpuMs.toFixed(0)} ms`);

// A file of many unknown keys (10k keys ≈ 90 KB, 40k ≈ 390 KB): validation must stay linear, since
// it runs on the server's event loop. Each count is parsed once, after a small warm-up.
parseJob(`name: w\nrun: x\n${Array.from({ length: 1000 }, (_, i) => `w${i}: 1`).join('\n')}\n`, 'warm.yaml');
for (const keys of [10_000, 40_000]) {
  const text = `name: Many keys\nrun: echo\n${Array.from({ length: keys }, (_, i) => `k${i}: 1`).join('\n')}\n`;
  const start = performance.now();
  const { issues } = parseJob(text, 'keys.yaml');
  const ms = performance.now() - start;
  console.log(`parseJob, ${keys.toLocaleString('en-US')} unknown keys (${Math.round(text.length / 1024)} KB): ${ms.toFixed(0)} ms, ${issues.length} issues shown`);
}
