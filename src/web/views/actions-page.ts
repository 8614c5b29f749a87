import type { ActionRecord } from '../../store/store.ts';
import { lineDiff } from '../line-diff.ts';
import { html, when, type Html } from './html.ts';

function source(action: ActionRecord): Html {
  const { source: s } = action;
  if (s.kind === 'upload') return html`upload`;
  return html`<code>${s.repo ?? ''}@${s.sha?.slice(0, 12) ?? ''}</code> ${s.path ?? ''}`;
}

function params(action: ActionRecord): Html {
  const entries = Object.entries(action.definition.with);
  if (entries.length === 0) return html`<span class="muted">none</span>`;
  return html`${entries.map(([k, v]) => html`<code>${k}</code>=<code>${String(v)}</code> `)}`;
}

export function actionsPage(actions: ActionRecord[], now: Date): Html {
  return html`<h1>Actions</h1>
<table aria-label="Registered actions"><thead><tr><th scope="col">Name</th><th scope="col">Description</th><th scope="col">Parameters (defaults)</th>
<th scope="col">Source</th><th scope="col">Version</th><th scope="col">Updated</th></tr></thead><tbody>
${actions.length === 0 ? html`<tr><td colspan="6" class="muted">No actions registered.</td></tr>` : ''}
${actions.map(
  (a) => html`<tr><td><a href="/actions/${encodeURIComponent(a.name)}">${a.name}</a></td><td>${a.description ?? ''}</td><td>${params(a)}</td>
<td>${source(a)}</td><td>${a.version}</td><td>${when(a.updatedAt, now)}</td></tr>`,
)}</tbody></table>`;
}

/** One action: parameters, source, the file, its versions and a diff between two of them. */
export function actionPage(action: ActionRecord, history: ActionRecord[], compare: { from?: number; to?: number }, now: Date): Html {
  const versions = [action, ...history.filter((h) => h.version !== action.version)];
  const to = versions.find((v) => v.version === compare.to) ?? action;
  const from = versions.find((v) => v.version === compare.from) ?? versions.find((v) => v.version < to.version);
  const options = (chosen: number | undefined) => versions.map((v) => html`<option value="${v.version}"${v.version === chosen ? html` selected` : ''}>${v.version}</option>`);
  return html`<h1>${action.name}</h1><p>${action.description ?? ''}</p>
<dl class="trigger"><dt>Source</dt><dd>${source(action)}</dd><dt>Version</dt><dd>${action.version}</dd><dt>Updated</dt><dd>${when(action.updatedAt, now)}</dd>
<dt>Parameters</dt><dd>${params(action)}</dd></dl>
<h2>File</h2><pre class="yaml">${action.yaml}</pre>
<h2>Versions</h2><ol class="versions" reversed>${versions.map((v) => html`<li>version ${v.version} · ${when(v.updatedAt, now)} · ${source(v)}</li>`)}</ol>
${from === undefined ? html`<p class="muted">Only one version: nothing to compare.</p>` : html`<form method="get" class="filters" aria-label="Compare versions">
<label>From <select name="from">${options(from.version)}</select></label><label>To <select name="to">${options(to.version)}</select></label><button type="submit">Compare</button></form>
<pre class="diff" aria-label="Changes from version ${from.version} to ${to.version}">${lineDiff(from.yaml, to.yaml).map(
  (d) => html`<span class="d${d.op === '+' ? 'add' : d.op === '-' ? 'del' : 'keep'}">${d.op} ${d.text}\n</span>`,
)}</pre>`}`;
}
