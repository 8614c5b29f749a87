import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedLongRun, startWebWorld, type WebWorld } from './web-harness.ts';

const STATUSES = ['queued', 'running', 'success', 'failure', 'error', 'timed_out', 'cancelled', 'skipped'];

/** in the page: controls with no label, no aria-label and (buttons) no text */
const UNLABELLED = `[...document.querySelectorAll('input:not([type=hidden]), select, button')]
  .filter((el) => (el.labels ? el.labels.length : 0) === 0 && !el.getAttribute('aria-label') && (el.tagName !== 'BUTTON' || el.textContent.trim() === ''))
  .map((el) => el.outerHTML)`;

/** in the page: WCAG contrast ratios of every status badge, the log text and its line numbers */
const CONTRASTS = `(() => {
  const rgb = (c) => (c.match(/\\d+(\\.\\d+)?/g) || []).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = rgb(c).map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x); return (hi + 0.05) / (lo + 0.05); };
  const out = {};
  for (const status of ${JSON.stringify(STATUSES)}) {
    const el = document.createElement('span');
    el.className = 'status s-' + status;
    document.body.append(el);
    const style = getComputedStyle(el);
    out[status] = ratio(style.color, style.backgroundColor);
  }
  const log = getComputedStyle(document.getElementById('log'));
  out['log text'] = ratio(log.color, log.backgroundColor);
  out['line numbers'] = ratio(getComputedStyle(document.querySelector('.ln')).color, log.backgroundColor);
  return out;
})()`;

/** Actions and deliveries pages, and accessibility basics: labels, contrast, keyboard use of the log. */
describe('web pages: actions, deliveries, accessibility', () => {
  let web: WebWorld;
  let runId: string;
  before(async () => {
    web = await startWebWorld({ worker: false });
    runId = await seedLongRun(web.world.stores, 2000);
  });
  after(async () => {
    await web?.close();
  });

  it('lists actions with their defaults and shows a diff between versions', async () => {
    const v1 = 'name: Greet\ndescription: says hello\nwith:\n  who: world\nimage: alpine\nrun: echo hello {{ .who }}\n';
    const v2 = 'name: Greet\ndescription: says hello\nwith:\n  who: everyone\n  loud: false\nimage: alpine\nrun: echo hello {{ .who }} {{ .loud }}\n';
    assert.equal((await web.api('POST', '/api/actions', { yaml: v1 })).status, 201);
    assert.equal((await web.api('POST', '/api/actions?replace=true', { yaml: v2 })).status, 201);
    const page = await web.loggedIn();
    await page.goto(`${web.url}/actions`);
    const row = page.locator('tr', { hasText: 'Greet' });
    assert.match(await row.innerText(), /says hello\s+who=everyone loud=false\s+upload\s+2/);
    await web.screenshot(page, 'actions');
    await row.getByRole('link', { name: 'Greet' }).click();
    await page.getByRole('heading', { name: 'Greet' }).waitFor();
    assert.deepEqual((await page.locator('.ddel').allInnerTexts()).map((t) => t.trimEnd()), ['-   who: world', '- run: echo hello {{ .who }}']);
    assert.deepEqual((await page.locator('.dadd').allInnerTexts()).map((t) => t.trimEnd()), ['+   who: everyone', '+   loud: false', '+ run: echo hello {{ .who }} {{ .loud }}']);
    assert.equal(await page.locator('.versions li').count(), 2);
    await web.screenshot(page, 'action-diff');
    await page.close();
  });

  it('lists webhook deliveries and what each did', async () => {
    const log = web.world.stores.deliveryLog;
    await log.record({ id: 'delivery-abc', event: 'push', repo: 'acme/api', ref: 'refs/heads/main', sha: 'a'.repeat(40), sender: 'octocat', receivedAt: new Date() }, '{}');
    await log.addRuns('delivery-abc', [runId]);
    await log.finish('delivery-abc', 'accepted', 'started 1 run', new Date());
    const page = await web.loggedIn();
    await page.goto(`${web.url}/deliveries`);
    const row = page.locator('tr', { hasText: 'acme/api' });
    assert.match(await row.innerText(), /push\s+acme\/api\s+refs\/heads\/main aaaaaaa\s+octocat\s+accepted\s+started 1 run/);
    await row.getByRole('link', { name: runId.slice(-6) }).click();
    await page.waitForURL(`${web.url}/runs/${runId}`);
    await web.screenshot(page, 'run-page');
    await page.goto(`${web.url}/deliveries`);
    await web.screenshot(page, 'deliveries');
    await page.close();
  });

  it('labels every control, keeps statuses and log text readable, and scrolls the log from the keyboard', async () => {
    const page = await web.loggedIn();
    for (const path of ['/', `/runs/${runId}`, '/login']) {
      await page.goto(`${web.url}${path}`);
      const unlabelled = await page.evaluate<string[]>(UNLABELLED);
      assert.deepEqual(unlabelled, [], `unlabelled controls on ${path}`);
    }

    await page.goto(`${web.url}/runs/${runId}`);
    await page.locator('#log[data-ended]').waitFor();
    const contrasts = await page.evaluate<Record<string, number>>(CONTRASTS);
    for (const [what, ratio] of Object.entries(contrasts)) assert.ok(ratio >= 4.5, `${what}: contrast ${ratio.toFixed(2)} < 4.5`);

    // reach the log with Tab alone
    let focused = '';
    for (let presses = 0; presses < 40 && focused !== 'log'; presses++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate<string>("document.activeElement ? document.activeElement.id : ''");
    }
    assert.equal(focused, 'log', 'the log is reachable with Tab');
    const top = () => page.locator('#log').evaluate((el) => el.scrollTop);
    await page.keyboard.press('Home');
    assert.equal(await top(), 0);
    await page.keyboard.press('ArrowDown');
    assert.equal(await top(), 18);
    await page.keyboard.press('PageDown');
    assert.ok((await top()) > 18 * 10);
    await page.keyboard.press('End');
    await page.locator('.ll[data-n="2000"]').waitFor();
    assert.ok(await page.locator('.ll[data-n="2000"]').isVisible());
    await page.close();
  });
});
