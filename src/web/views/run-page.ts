import { TERMINAL_STATUSES, type PlannedStep } from '../../pipeline/types.ts';
import type { GroupRecord, RunRecord, StepRecord } from '../../store/store.ts';
import { badge, duration, html, when, type Html } from './html.ts';

const FAILED = ['failure', 'error', 'timed_out'];

/** The step to jump to: the first failed step of the first failed group (plan order), latest attempt. */
export function failingStep(run: RunRecord): { group: string; step: number; attempt: number } | undefined {
  for (const planned of run.plan.groups) {
    const group = run.groups.find((g) => g.name === planned.name);
    if (group === undefined || !FAILED.includes(group.status)) continue;
    const attempt = group.attempts.find((a) => a.attempt === group.attempt);
    const step = attempt?.steps.find((s) => FAILED.includes(s.status));
    return { group: group.name, step: step?.index ?? 0, attempt: group.attempt };
  }
  return undefined;
}

export interface RunPageOptions {
  canWrite: boolean;
  /** the log filter from the URL (check-run links carry group, step and attempt) */
  filter: { group?: string; step?: number; attempt?: number };
  now: Date;
}

export function runPage(run: RunRecord, options: RunPageOptions): Html {
  const finished = TERMINAL_STATUSES.includes(run.status);
  const failedGroups = run.groups.some((g) => g.status !== 'success') || run.groups.length < run.plan.groups.length;
  const disabled = (on: boolean) => html`${on ? '' : html` disabled`}`;
  const buttons = options.canWrite
    ? html`<div class="actions" role="group" aria-label="Run actions">
<button type="button" id="rerun"${disabled(finished)}>Re-run</button>
<button type="button" id="rerun-failed"${disabled(finished && failedGroups)}>Re-run failed groups</button>
<button type="button" id="cancel" class="danger"${disabled(!finished)}>Cancel</button></div>`
    : html`<p class="muted"><a href="/login?next=/runs/${run.id}">Log in</a> to re-run or cancel.</p>`;
  const { filter } = options;
  const maxAttempt = Math.max(1, ...run.groups.map((g) => g.attempt));
  const filtered = filter.group !== undefined || filter.step !== undefined;
  return html`<div class="run-head"><h1>${run.job} <span id="run-status">${badge(run.status)}</span></h1>${buttons}</div>
<p id="action-message" role="status" aria-live="polite"></p>
<div class="run-meta">${trigger(run, options.now)}${params(run)}</div>
<section aria-labelledby="lanes-title"><h2 id="lanes-title">Groups</h2>
<div id="lanes" data-live="/runs/${run.id}?fragment=lanes">${lanes(run, options.now)}</div></section>
<section aria-labelledby="log-title" class="log-section"><h2 id="log-title">Log</h2>
<div class="log-tools" role="toolbar" aria-label="Log tools">
<label>Attempt <select id="log-attempt"><option value="">all</option>${Array.from({ length: maxAttempt }, (_, i) => i + 1).map(
    (n) => html`<option value="${n}"${html`${filter.attempt === n ? html` selected` : ''}`}>${n}</option>`,
  )}</select></label>
<button type="button" id="jump-failing" disabled>Jump to failing step</button>
<label>Search <input id="log-search" type="search" placeholder="text in the log"></label>
<button type="button" id="search-next">Next match</button><span id="search-info" class="muted" aria-live="polite"></span>
<a class="button" id="download" href="/ui/runs/${run.id}/log.txt${filtered || filter.attempt !== undefined ? `?${filterQuery(filter)}` : ''}" download>Download raw log</a>
<label><input type="checkbox" id="log-follow" checked> Follow</label></div>
${filtered ? html`<p class="filter-note">Showing ${filter.group ?? 'all groups'}${filter.step === undefined ? '' : html`, step ${filter.step + 1}`}${filter.attempt === undefined ? '' : html`, attempt ${filter.attempt}`}. <a href="/runs/${run.id}">Show the whole log</a></p>` : ''}
<div id="log" class="log" tabindex="0" role="log" aria-label="Log lines; arrow keys, Page Up/Down, Home and End scroll" data-run="${run.id}" data-filter="${filterQuery(filter)}"><div class="log-spacer"></div><div class="log-rows"></div></div>
<p id="log-state" class="muted" aria-live="polite">Loading the log…</p></section>`;
}

function filterQuery(filter: RunPageOptions['filter']): string {
  const query = new URLSearchParams();
  if (filter.group !== undefined) query.set('group', filter.group);
  if (filter.step !== undefined) query.set('step', String(filter.step));
  if (filter.attempt !== undefined) query.set('attempt', String(filter.attempt));
  return query.toString();
}

function trigger(run: RunRecord, now: Date): Html {
  const github = run.repo !== undefined && /^[\w.-]+\/[\w.-]+$/.test(run.repo) ? `https://github.com/${run.repo}` : undefined;
  const row = (label: string, value: unknown) => html`<dt>${label}</dt><dd>${value ?? html`<span class="muted">—</span>`}</dd>`;
  const sha = run.sha === undefined ? undefined : github ? html`<a href="${github}/commit/${run.sha}"><code>${run.sha.slice(0, 12)}</code></a>` : html`<code>${run.sha.slice(0, 12)}</code>`;
  const pr = run.pullRequest === undefined ? undefined : github ? html`<a href="${github}/pull/${run.pullRequest}">#${run.pullRequest}</a>` : `#${run.pullRequest}`;
  return html`<dl class="trigger" aria-label="Trigger">${row('Trigger', run.source.replace('_', ' '))}
${row('Repository', github ? html`<a href="${github}">${run.repo}</a>` : run.repo)}${row('Branch', run.branch ?? run.ref)}${row('Commit', sha)}
${run.pullRequest === undefined ? '' : row('Pull request', pr)}${row('Sender', run.sender)}
${run.rerunOf === undefined ? '' : row('Re-run of', html`<a href="/runs/${run.rerunOf}">${run.rerunOf}</a>`)}
${row('Created', when(run.createdAt, now))}${row('Duration', duration(run.startedAt, run.finishedAt, now))}
${run.message === undefined ? '' : row('Message', run.message)}</dl>`;
}

function params(run: RunRecord): Html {
  const entries = Object.entries(run.params);
  if (entries.length === 0) return html`<p class="muted">No parameters.</p>`;
  return html`<table class="params" aria-label="Parameters"><thead><tr><th scope="col">Parameter</th><th scope="col">Value</th></tr></thead><tbody>
${entries.map(([k, v]) => html`<tr><th scope="row">${k}</th><td><code>${String(v)}</code></td></tr>`)}</tbody></table>`;
}

/** The lanes, also served alone (`?fragment=lanes`) for the page's live refresh. */
export function lanes(run: RunRecord, now: Date): Html {
  const failing = failingStep(run);
  const maxAttempt = Math.max(1, ...run.groups.map((g) => g.attempt));
  return html`<div class="lanes" data-status="${run.status}" data-terminal="${TERMINAL_STATUSES.includes(run.status) ? '1' : ''}"
 data-failing="${failing === undefined ? '' : JSON.stringify(failing)}" data-attempts="${maxAttempt}">${run.plan.groups.map((planned) => {
    const group: GroupRecord = run.groups.find((g) => g.name === planned.name) ?? { name: planned.name, status: run.onlyGroups && !run.onlyGroups.includes(planned.name) ? 'skipped' : run.status === 'queued' ? 'queued' : run.status, attempt: 0, attempts: [] };
    const latest = group.attempts.find((a) => a.attempt === group.attempt);
    return html`<section class="lane" aria-label="Group ${planned.name}"><h3>${planned.name} ${badge(group.status)}</h3>
<p class="muted">${group.attempt === 0 ? 'not started' : `attempt ${group.attempt}`}${group.attempts.length > 1 ? html` · earlier: ${group.attempts.filter((a) => a.attempt !== group.attempt).map((a) => html`<a href="/runs/${run.id}?group=${encodeURIComponent(planned.name)}&amp;attempt=${a.attempt}">#${a.attempt} ${a.status}</a> `)}` : ''}</p>
<ol class="steps">${planned.steps.map((step) => stepItem(run.id, planned.name, step, latest?.steps.find((s) => s.index === step.index), group, now))}</ol></section>`;
  })}</div>`;
}

function stepItem(runId: string, group: string, planned: PlannedStep, recorded: StepRecord | undefined, record: GroupRecord, now: Date): Html {
  const status = recorded?.status ?? (record.status === 'running' ? 'queued' : record.status);
  const context = planned.startsContainer ? html`new container ${planned.container}` : html`<span class="inherit" title="runs in the container of an earlier step">inherits container ${planned.container}</span>`;
  const attempt = Math.max(1, record.attempt);
  return html`<li class="step" data-group="${group}" data-step="${planned.index}">${badge(status)}
<a href="/runs/${runId}?group=${encodeURIComponent(group)}&amp;step=${planned.index}&amp;attempt=${attempt}">${planned.name}</a>
<span class="step-meta">${duration(recorded?.startedAt, recorded?.finishedAt, now)} · attempt ${attempt} · <code>${planned.image}</code> · ${context}${recorded?.exitCode === undefined ? '' : html` · exit ${recorded.exitCode}`}</span>
${recorded?.message === undefined ? '' : html`<span class="step-message">${recorded.message}</span>`}</li>`;
}
