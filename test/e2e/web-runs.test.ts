import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IMAGE } from '../support/worker-world.ts';
import { startWebWorld, type WebWorld } from './web-harness.ts';

/** The pages in headless Chromium against a real worker: live logs, cancel, jump to failure, re-run. */
describe('web pages: runs', () => {
  let web: WebWorld;
  before(async () => {
    web = await startWebWorld();
  });
  after(async () => {
    await web?.close();
  });

  it('logs in with the token in a form and shows the runs page', async () => {
    const page = await web.loggedIn();
    assert.ok(!page.url().includes('0123456789'), 'the token never appears in a URL');
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await web.screenshot(page, 'runs-empty');
    await page.close();
  });

  it('streams a slow run live, then cancels it from the button', async () => {
    const yaml = `name: Slow\nimage: ${IMAGE}\nrun: |\n  printf '\\033[31mred alert\\033[0m\\n'\n  for i in $(seq 1 200); do echo "tick $i"; sleep 0.2; done\n`;
    const submitted = await web.api('POST', '/api/runs', { yaml });
    assert.equal(submitted.status, 201);
    const id: string = submitted.body.id;
    const page = await web.loggedIn();
    const runsTab = await web.loggedIn();
    await page.goto(`${web.url}/runs/${id}`);
    await page.locator('.ll .lt', { hasText: 'tick 2' }).first().waitFor({ timeout: 30_000 });
    const whileSeen = await web.world.stores.runs.get(id);
    assert.equal(whileSeen?.status, 'running', 'lines arrive while the run is still running');
    await page.locator('.ll .lt', { hasText: 'tick 6' }).first().waitFor({ timeout: 15_000 });
    const red = page.locator('.ll .lt span', { hasText: 'red alert' });
    assert.equal(await red.getAttribute('style'), 'color:#ff7b72;', 'ANSI red is rendered as a colour');
    assert.equal((await page.locator('.ll .lt', { hasText: '[31m' }).count()), 0, 'no raw escape codes are shown');
    await runsTab.goto(`${web.url}/`);
    await runsTab.locator(`tr[data-run-id="${id}"] .status`, { hasText: 'running' }).waitFor();
    await web.screenshot(page, 'run-live');

    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('#run-status .status', { hasText: 'cancelled' }).waitFor({ timeout: 30_000 });
    assert.equal((await web.world.stores.runs.get(id))?.status, 'cancelled');
    await runsTab.locator(`tr[data-run-id="${id}"] .status`, { hasText: 'cancelled' }).waitFor({ timeout: 10_000 });
    await web.screenshot(page, 'run-cancelled');
    await web.screenshot(runsTab, 'runs-live');
    await Promise.all([page.close(), runsTab.close()]);
  });

  it('jumps to the failing step and re-runs only the failed groups', async () => {
    const yaml = `name: Mixed\nimage: ${IMAGE}\nuses:\n  fine:\n    - run: echo all good\n  broken:\n    - name: prepare\n      run: echo preparing\n    - name: explode\n      run: |\n        for i in $(seq 1 300); do echo "noise $i"; done\n        echo "boom: the thing broke" >&2\n        exit 3\n`;
    const submitted = await web.api('POST', '/api/runs', { yaml });
    const id: string = submitted.body.id;
    await web.world.waitForStatus(id, ['failure']);
    const page = await web.loggedIn();
    await page.goto(`${web.url}/runs/${id}`);
    await page.locator('#log[data-ended]').waitFor();
    const jump = page.getByRole('button', { name: 'Jump to failing step' });
    await jump.click();
    const selected = page.locator('.ll.sel');
    await selected.waitFor();
    assert.equal(await selected.getAttribute('data-group'), 'broken');
    assert.equal(await selected.getAttribute('data-step'), '1');
    assert.match(await selected.innerText(), /exited with code 3/, 'the step\'s last line: why it failed');
    assert.ok(await selected.isVisible());
    assert.match(new URL(page.url()).hash, /^#L\d+$/);
    assert.equal(await page.locator('.step.target').getAttribute('data-group'), 'broken');
    await web.screenshot(page, 'run-failed');
    const link = page.url();
    await page.getByLabel('Search').fill('BOOM');
    await page.getByLabel('Search').press('Enter');
    await page.locator('.ll.sel', { hasText: 'boom: the thing broke' }).waitFor();
    assert.equal(await page.locator('.ll.sel').getAttribute('data-step'), '1');

    // the line link survives a reload
    const again = await web.loggedIn();
    await again.goto(link);
    await again.locator('.ll.sel', { hasText: 'exited with code 3' }).waitFor();
    await again.close();

    await page.getByRole('button', { name: 'Re-run failed groups' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/runs/') && !url.pathname.endsWith(id));
    const newId = new URL(page.url()).pathname.split('/').pop() ?? '';
    const rerun = await web.world.stores.runs.get(newId);
    assert.equal(rerun?.rerunOf, id);
    assert.deepEqual(rerun?.onlyGroups, ['broken']);
    await web.world.waitForStatus(newId, ['failure']);
    await page.locator('#run-status .status', { hasText: 'failure' }).waitFor({ timeout: 15_000 });
    await page.close();
  });

  it('honours check-run links to one step and attempt, and filters the runs list', async () => {
    const failed = await web.world.stores.runs.list({ status: 'failure' }, { limit: 1 });
    const run = failed.runs[0];
    assert.ok(run);
    const page = await web.loggedIn();
    await page.goto(`${web.url}/runs/${run.id}?group=broken&step=0&attempt=1`);
    await page.locator('#log[data-ended]').waitFor();
    const groups = await page.locator('.ll').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-group')}/${r.getAttribute('data-step')}`));
    assert.deepEqual([...new Set(groups)], ['broken/0']);
    await page.getByText('Show the whole log').waitFor();

    await page.goto(`${web.url}/?status=failure`);
    const statuses = await page.locator('#run-rows .status').allInnerTexts();
    assert.ok(statuses.length >= 1);
    assert.deepEqual([...new Set(statuses)], ['failure']);
    await page.goto(`${web.url}/?trigger=rerun`);
    const triggers = await page.locator('#run-rows tr td:nth-child(3)').allInnerTexts();
    assert.deepEqual([...new Set(triggers.map((t) => t.trim()))], ['rerun']);
    await page.close();
  });
});
