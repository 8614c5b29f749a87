import type { DeliveryRecord } from '../../store/store.ts';
import { html, when, type Html } from './html.ts';

const OUTCOME_STATUS: Record<string, string> = { received: 'queued', accepted: 'success', ignored: 'skipped', failed: 'failure' };

export function deliveriesPage(deliveries: DeliveryRecord[] | undefined, now: Date): Html {
  if (deliveries === undefined) return html`<h1>Deliveries</h1><p>This server does not receive webhooks (no GitHub integration is configured; see docs/github.md).</p>`;
  return html`<h1>Deliveries</h1>
<table aria-label="Recent webhook deliveries"><thead><tr><th scope="col">Received</th><th scope="col">Event</th><th scope="col">Repository</th>
<th scope="col">Ref · commit</th><th scope="col">Sender</th><th scope="col">Outcome</th><th scope="col">What it did</th><th scope="col">Runs</th></tr></thead><tbody>
${deliveries.length === 0 ? html`<tr><td colspan="8" class="muted">No deliveries yet.</td></tr>` : ''}
${deliveries.map(
  (d) => html`<tr><td>${when(d.receivedAt, now)}</td><td>${d.event}${d.action === undefined ? '' : html` (${d.action})`}</td><td>${d.repo ?? ''}</td>
<td>${d.ref ?? ''} <code>${d.sha?.slice(0, 7) ?? ''}</code></td><td>${d.sender ?? ''}</td>
<td><span class="status s-${OUTCOME_STATUS[d.outcome] ?? 'skipped'}">${d.outcome}</span>${d.attempts > 1 ? html` <span class="muted">(${d.attempts} attempts)</span>` : ''}</td>
<td>${d.reason ?? ''}</td><td>${d.runIds.map((id) => html`<a href="/runs/${id}">${id.slice(-6)}</a> `)}</td></tr>`,
)}</tbody></table>`;
}
