import { TERMINAL_STATUSES } from '../../pipeline/types.ts';
import type { RunRecord } from '../../store/store.ts';
import { badge, duration, html, when, type Html } from './html.ts';

export interface RunListFilters {
  repo?: string;
  branch?: string;
  job?: string;
  status?: string;
  trigger?: string;
}

const STATUSES = ['queued', 'running', ...TERMINAL_STATUSES];
export const TRIGGERS = ['push', 'pull_request', 'api', 'rerun'] as const;

/** The runs table: filters, rows (also served alone for live refresh), and the link to older runs. */
export function runsPage(filters: RunListFilters, runs: RunRecord[], next: string | undefined, now: Date): Html {
  const text = (name: keyof RunListFilters, label: string, placeholder: string) =>
    html`<label>${label}<input name="${name}" value="${filters[name] ?? ''}" placeholder="${placeholder}"></label>`;
  const select = (name: keyof RunListFilters, label: string, options: readonly string[]) =>
    html`<label>${label}<select name="${name}"><option value="">any</option>${options.map(
      (o) => html`<option value="${o}"${selected(filters[name] === o)}>${o.replace('_', ' ')}</option>`,
    )}</select></label>`;
  const query = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
  const older = next === undefined ? '' : html`<a class="button" rel="next" href="/?${withParam(query, 'cursor', next)}">Older runs</a>`;
  return html`<h1>Runs</h1>
<form class="filters" method="get" action="/" role="search" aria-label="Filter runs">
${text('repo', 'Repository', 'owner/name')}${text('branch', 'Branch', 'main')}${text('job', 'Job', 'Build')}
${select('status', 'Status', STATUSES)}${select('trigger', 'Trigger', TRIGGERS)}
<button type="submit">Filter</button> <a href="/">Clear</a></form>
<table class="runs" aria-label="Runs, newest first"><thead><tr><th scope="col">Status</th><th scope="col">Job</th><th scope="col">Trigger</th>
<th scope="col">Repository · branch</th><th scope="col">Commit</th><th scope="col">Created</th><th scope="col">Duration</th></tr></thead>
<tbody id="run-rows" data-live="${query.has('cursor') ? '' : `/?${withParam(query, 'fragment', 'rows')}`}">${runRows(runs, now)}</tbody></table>
<nav class="pager" aria-label="Pages">${query.size > 0 ? html`<a href="/">Newest</a>` : ''} ${older}</nav>`;
}

export function runRows(runs: RunRecord[], now: Date): Html {
  if (runs.length === 0) return html`<tr><td colspan="7" class="muted">No runs match.</td></tr>`;
  return html`${runs.map(
    (run) => html`<tr data-run-id="${run.id}"><td>${badge(run.status)}</td><td><a href="/runs/${run.id}">${run.job}</a></td>
<td>${run.source.replace('_', ' ')}${run.pullRequest === undefined ? '' : html` #${run.pullRequest}`}</td>
<td>${run.repo ?? html`<span class="muted">—</span>`}${run.branch === undefined ? '' : html` · ${run.branch}`}</td>
<td><code>${run.sha?.slice(0, 7) ?? ''}</code></td><td>${when(run.createdAt, now)}</td><td>${duration(run.startedAt, run.finishedAt, now)}</td></tr>`,
  )}`;
}

function selected(on: boolean): Html {
  return on ? html` selected` : html``;
}

function withParam(query: URLSearchParams, key: string, value: string): string {
  const copy = new URLSearchParams(query);
  copy.delete('cursor');
  copy.set(key, value);
  return copy.toString();
}
