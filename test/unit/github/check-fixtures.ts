/** Stored runs, log tails and GitHub's request-body contract for the tests of src/github/checks.ts. */
import assert from 'node:assert/strict';
import type { CheckRunBody, ReportContext, StepLogTail } from '../../../src/github/checks.ts';
import type { Status } from '../../../src/pipeline/types.ts';
import type { GroupRecord, RunRecord, StepRecord } from '../../../src/store/store.ts';
import { OpenApiContract } from '../../support/openapi-contract.ts';

export const SHA = 'c0ffee'.padEnd(40, '0');
const T0 = new Date('2025-03-01T10:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
export const ctx: ReportContext = {
  runUrl: 'https://ci.example.com/runs/r1',
  logUrl: (group, step, attempt) => `https://ci.example.com/runs/r1?group=${group}&step=${step}&attempt=${attempt}`,
};
export const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

export function step(index: number, name: string, status: Status, seconds = 10): StepRecord {
  return { index, name, status, startedAt: at(0), finishedAt: at(seconds) };
}

/** a group whose latest attempt ran `steps`; `earlier`: the steps of the attempt before it (a retry) */
export function group(name: string, status: Status, steps: StepRecord[], earlier?: StepRecord[], message?: string): GroupRecord {
  const latest = { attempt: earlier ? 2 : 1, status, steps };
  const attempts = earlier ? [{ attempt: 1, status: 'failure' as Status, steps: earlier }, latest] : [latest];
  return { name, status, attempt: latest.attempt, attempts, ...(message ? { message } : {}) };
}

export function run(status: Status, groups: GroupRecord[], extra: Partial<RunRecord> = {}): RunRecord {
  const terminal = !['queued', 'running'].includes(status);
  return {
    id: 'r1',
    job: 'Build Pistages',
    source: 'push',
    yaml: '',
    file: '.pistages/build.yaml',
    params: {},
    plan: { job: 'Build Pistages', file: '.pistages/build.yaml', params: {}, secrets: [], groups: [] },
    repo: 'o/r',
    sha: SHA,
    status,
    createdAt: T0,
    ...(status !== 'queued' ? { startedAt: T0 } : {}),
    ...(terminal ? { finishedAt: at(72) } : {}),
    groups,
    starts: 1,
    ...extra,
  };
}

export const passing = () => run('success', [group('build', 'success', [step(0, 'checkout', 'success', 3), step(1, 'test', 'success', 62)]), group('lint', 'success', [step(0, 'eslint', 'success')])]);
export const failing = () =>
  run('failure', [
    group(
      'build',
      'failure',
      [step(0, 'checkout', 'success', 3), step(1, 'test', 'failure', 62), step(2, 'package', 'skipped', 0)],
      [step(0, 'checkout', 'success', 3), step(1, 'test', 'failure', 60), step(2, 'package', 'skipped', 0)],
      'step 2 (test) exited with code 1',
    ),
    group('lint', 'success', [step(0, 'eslint', 'success')]),
    group('docs', 'success', [step(0, 'build docs', 'success')]),
  ]);
export const tail = (lines: string[], extra: Partial<StepLogTail> = {}): StepLogTail => ({ group: 'build', step: 1, stepName: 'test', attempt: 2, status: 'failure', lines, clipped: false, ...extra });

/** GitHub's OpenAPI description, asserting on the bodies Pistages sends. */
export class GithubContract {
  private constructor(readonly api: OpenApiContract) {}

  static async load(): Promise<GithubContract> {
    return new GithubContract(await OpenApiContract.load());
  }

  /** asserts GitHub would accept the body on create, and (without head_sha) on update, within its byte limits */
  acceptsCheckRun(body: CheckRunBody): void {
    const created = this.api.check('POST', '/repos/o/r/check-runs', body);
    assert.ok(created.ok && created.operationId === 'checks/create', JSON.stringify(created));
    const { head_sha: _sha, ...update } = body;
    const updated = this.api.check('PATCH', '/repos/o/r/check-runs/7', update);
    assert.ok(updated.ok && updated.operationId === 'checks/update', JSON.stringify(updated));
    assert.ok(bytes(body.output.summary) <= 65_535, 'summary within 65,535 bytes');
    assert.ok(bytes(body.output.text ?? '') <= 65_535, 'text within 65,535 bytes');
  }

  acceptsStatus(body: object): void {
    const sent = this.api.check('POST', `/repos/o/r/statuses/${SHA}`, body);
    assert.ok(sent.ok && sent.operationId === 'repos/create-commit-status', JSON.stringify(sent));
  }

  /** whether GitHub would accept `body` as a check-run update */
  acceptsUpdate(body: object): boolean {
    return this.api.check('PATCH', '/repos/o/r/check-runs/7', body).ok;
  }
}
