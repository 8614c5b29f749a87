import { html, type Html } from './html.ts';

export function loginPage(next: string, error: string | undefined): Html {
  return html`<h1>Log in</h1>
<form method="post" action="/login" class="login">
${error === undefined ? '' : html`<p class="error" role="alert">${error}</p>`}
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required minlength="16" aria-describedby="token-help">
<p id="token-help" class="muted">The server's PISTAGES_UI_TOKEN, or its PISTAGES_API_TOKEN.</p>
<input type="hidden" name="next" value="${next}">
<button type="submit">Log in</button></form>`;
}
