/**
 * HTML building blocks of the pages: escaping (every interpolated value goes through `esc` or is
 * already `Html`), the page frame, status badges, times and durations.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** tagged template: interpolations are escaped unless they are Html (or arrays of Html) */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return esc(value);
}

export interface PageFrame {
  title: string;
  /** nav entry to mark as current */
  section: 'runs' | 'actions' | 'deliveries' | 'login';
  loggedIn: boolean;
  csrf: string | undefined;
  body: Html;
  /** client scripts under /assets/ */
  scripts?: string[];
}

export function page(frame: PageFrame): string {
  const nav = (href: string, label: string, key: PageFrame['section']) =>
    html`<a href="${href}"${new Html(frame.section === key ? ' aria-current="page"' : '')}>${label}</a>`;
  const account = frame.loggedIn
    ? html`<form method="post" action="/logout" class="logout"><input type="hidden" name="_csrf" value="${frame.csrf}"><button type="submit">Log out</button></form>`
    : html`<a href="/login">Log in</a>`;
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · Pistages</title><link rel="stylesheet" href="/assets/pistages.css">
${frame.csrf === undefined ? '' : html`<meta name="csrf-token" content="${frame.csrf}">`}</head>
<body><a class="skip" href="#main">Skip to content</a>
<header class="top"><span class="brand">Pistages</span><nav aria-label="Main">${nav('/', 'Runs', 'runs')}${nav('/actions', 'Actions', 'actions')}${nav('/deliveries', 'Deliveries', 'deliveries')}</nav>${frame.section === 'login' ? '' : account}</header>
<main id="main">${frame.body}</main>
${(frame.scripts ?? []).map((s) => html`<script src="/assets/${s}" defer></script>`)}</body></html>`.text}`;
}

export function badge(status: string): Html {
  return html`<span class="status s-${status}">${status.replace('_', ' ')}</span>`;
}

/** `<time>` with an absolute title; the client script keeps the relative text current */
export function when(date: Date | undefined | null, now: Date): Html {
  if (date === undefined || date === null) return html`<span class="muted">—</span>`;
  return html`<time datetime="${date.toISOString()}" title="${date.toISOString()}" data-rel>${relative(date, now)}</time>`;
}

export function relative(date: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** a duration; for something still running, the client script keeps it ticking from `data-since` */
export function duration(start: Date | undefined | null, end: Date | undefined | null, now: Date): Html {
  if (start === undefined || start === null) return html`<span class="muted">—</span>`;
  const text = formatDuration((end ?? now).getTime() - start.getTime());
  if (end === undefined || end === null) return html`<span class="dur" data-since="${start.toISOString()}">${text}</span>`;
  return html`<span class="dur">${text}</span>`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}
