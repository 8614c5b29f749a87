/** The pages' stylesheet, served as /assets/pistages.css. Status colours keep ≥ 4.5:1 contrast with their text. */
export const PISTAGES_CSS = String.raw`
:root { --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --line: #d1d9e0; --link: #0550ae; --focus: #bf8700; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--link); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 1px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 10; }
.top { display: flex; gap: 24px; align-items: center; padding: 8px 20px; background: #24292f; color: #fff; }
.top a { color: #fff; text-decoration: none; } .top nav { display: flex; gap: 16px; flex: 1; }
.top a[aria-current="page"] { text-decoration: underline; text-underline-offset: 6px; }
.brand { font-weight: 700; } .logout { margin: 0; } .logout button { background: transparent; color: #fff; border-color: #8c959f; }
main { padding: 16px 20px; max-width: 1600px; }
h1 { font-size: 22px; margin: 8px 0 12px; } h2 { font-size: 17px; margin: 20px 0 8px; } h3 { font-size: 15px; margin: 0 0 4px; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; } .muted { color: var(--muted); } code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
button, .button { font: inherit; padding: 4px 12px; border: 1px solid #8c959f; border-radius: 6px; background: #f6f8fa; color: var(--fg); cursor: pointer; text-decoration: none; display: inline-block; }
button:disabled { color: #6e7781; cursor: not-allowed; background: #eaeef2; } button.danger:not(:disabled) { color: #a40e26; border-color: #a40e26; }
input, select { font: inherit; padding: 3px 6px; border: 1px solid #8c959f; border-radius: 6px; margin-left: 4px; }
.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin-bottom: 12px; }
.status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; white-space: nowrap; }
.s-queued { background: #6639ba; } .s-running { background: #0550ae; } .s-success { background: #116329; } .s-failure { background: #a40e26; }
.s-error { background: #7d1d5c; } .s-timed_out { background: #953800; } .s-cancelled { background: #57606a; } .s-skipped { background: #59636e; }
.pager { margin-top: 12px; display: flex; gap: 12px; }
.run-head { display: flex; justify-content: space-between; align-items: center; flex-wrap: wrap; gap: 12px; } .actions { display: flex; gap: 8px; }
.run-meta { display: flex; gap: 32px; flex-wrap: wrap; align-items: flex-start; }
.trigger { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; margin: 0; } .trigger dt { color: var(--muted); } .trigger dd { margin: 0; }
.params { width: auto; }
.lanes { display: flex; gap: 12px; overflow-x: auto; padding-bottom: 6px; }
.lane { flex: 0 0 300px; border: 1px solid var(--line); border-radius: 8px; padding: 10px; background: #f6f8fa; }
.steps { list-style: none; margin: 0; padding: 0; } .step { padding: 6px 0; border-top: 1px solid var(--line); }
.step.target { background: #fff8c5; } .step-meta { display: block; color: var(--muted); font-size: 12px; } .step-message { display: block; color: #a40e26; font-size: 12px; }
.inherit { font-style: italic; }
.log-tools { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin-bottom: 8px; }
.log { position: relative; height: 60vh; min-height: 240px; overflow: auto; background: #0d1117; color: #e6edf3; border-radius: 6px;
  font: 12px/18px ui-monospace, SFMono-Regular, Menlo, monospace; contain: strict; }
.log-spacer { width: 1px; } .log-rows { position: absolute; top: 0; left: 0; right: 0; will-change: transform; }
.ll { height: 18px; white-space: pre; padding-right: 8px; } .ll.sel { background: #3a3000; } .ll.err .lt { color: #ffa198; } .ll.sys .lt { color: #a5d6ff; }
.ln { display: inline-block; width: 7ch; text-align: right; color: #9198a1; text-decoration: none; margin-right: 12px; user-select: none; }
.lg { color: #9198a1; margin-right: 12px; } .lt b { font-weight: 700; }
.filter-note { background: #ddf4ff; padding: 6px 10px; border-radius: 6px; }
pre.yaml, pre.diff { background: #f6f8fa; padding: 10px; border-radius: 6px; overflow: auto; }
.dadd { background: #dafbe1; display: block; } .ddel { background: #ffebe9; display: block; } .dkeep { display: block; }
.login { display: grid; gap: 8px; max-width: 420px; } .error { color: #a40e26; font-weight: 600; }
`;
