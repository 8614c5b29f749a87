import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MongoLogStore } from '../../src/store/mongo/log-store.ts';
import { seedLongRun, startWebWorld, type WebWorld } from './web-harness.ts';

const LINES = 200_000;

/** A 200,000-line log in Chromium: time to first lines, to the whole log, and to the end; the DOM stays small. */
describe('web pages: a 200,000-line log', () => {
  let web: WebWorld;
  let runId: string;
  before(async () => {
    web = await startWebWorld({ worker: false });
    // chunks of 5,000 lines make seeding 2.5× faster on FerretDB; bench/web.bench.ts measures the default layout
    const logs = new MongoLogStore(web.world.mongo.client.db(web.world.mongo.dbName), { maxLines: 5000, maxBytes: 4 * 1024 * 1024 });
    runId = await seedLongRun({ runs: web.world.stores.runs, logs }, LINES);
  });
  after(async () => {
    await web?.close();
  });

  it('paints the first lines quickly, keeps only visible lines in the DOM and scrolls to the end', async () => {
    const page = await web.loggedIn();
    const started = Date.now();
    await page.goto(`${web.url}/runs/${runId}`);
    await page.locator('.ll').first().waitFor();
    const firstLines = Date.now() - started;
    await page.locator('#log[data-ended="success"]').waitFor({ timeout: 120_000 });
    const loaded = Date.now() - started;
    const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)])));
    assert.equal(await page.locator('#log-state').innerText(), `${LINES} lines · run success`);
    const rows = await page.locator('.ll').count();
    assert.ok(rows > 0 && rows < 200, `only the visible lines are in the DOM (${rows})`);

    await page.locator('#log').focus();
    const scrollStart = Date.now();
    await page.keyboard.press('Home');
    await page.locator('.ll[data-n="1"]').waitFor();
    await page.keyboard.press('End');
    await page.locator(`.ll[data-n="${LINES}"]`).waitFor();
    const toEnd = Date.now() - scrollStart;
    assert.ok(await page.locator(`.ll[data-n="${LINES}"]`).isVisible());
    const green = page.locator('.ll[data-n="1"] .lt span');
    await page.keyboard.press('Home');
    assert.equal(await green.getAttribute('style'), 'color:#7ee787;');
    console.log(`# 200,000-line log: first lines ${firstLines} ms (performance mark ${marks['pistages:first-lines']} ms), whole log ${loaded} ms (mark ${marks['pistages:log-loaded']} ms), Home→End ${toEnd} ms, ${rows} rows in the DOM`);
    await web.screenshot(page, 'run-200k-lines');
    await page.close();
  });
});
