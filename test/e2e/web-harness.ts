import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { buildPlan, createCatalog, parseJob } from '../../src/pipeline/index.ts';
import { createApp, type AppDeps } from '../../src/server/app.ts';
import { startWorld, type StartedWorker, type World } from '../support/worker-world.ts';

/**
 * The whole stack for page tests: real stores on the test database, a worker on the real Docker
 * engine, the app on 127.0.0.1, and headless Chromium. Screenshots go to one folder per test run,
 * printed at start.
 */
export const TOKEN = 'web-test-token-0123456789abcdef';
export const UI_TOKEN = 'ui-token-for-viewers-0123456789';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

export interface WebWorld {
  world: World;
  worker: StartedWorker | undefined;
  url: string;
  browser: Browser;
  shots: string;
  /** a page already logged in */
  loggedIn(): Promise<Page>;
  screenshot(page: Page, name: string): Promise<void>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  api(method: string, path: string, body?: { yaml?: string; json?: unknown }): Promise<{ status: number; body: any }>;
  startApp(overrides?: Partial<AppDeps>, env?: Record<string, string>): Promise<{ url: string; close(): Promise<void> }>;
  close(): Promise<void>;
}

export async function startWebWorld(options: { worker?: boolean; env?: Record<string, string> } = {}): Promise<WebWorld> {
  const world = await startWorld();
  const worker = options.worker === false ? undefined : await world.startWorker({ pollMs: 100 });
  const servers: Server[] = [];
  const startApp: WebWorld['startApp'] = async (overrides = {}, env = options.env ?? {}) => {
    const config = loadConfig({ PISTAGES_API_TOKEN: TOKEN, PISTAGES_UI_TOKEN: UI_TOKEN, ...env });
    const app = createApp({
      config,
      ...world.stores,
      deliveries: world.stores.deliveryLog,
      queue: worker?.queue ?? world.submitQueue,
      log: pino({ level: 'silent' }),
      followPollMs: 100,
      ...(worker && { onCancel: (id: string) => void worker.worker.cancel(id) }),
      ...overrides,
    });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
    };
  };
  const main = await startApp();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const shots = join(tmpdir(), `pistages-web-screenshots-${process.pid}`);
  mkdirSync(shots, { recursive: true });
  console.log(`# screenshots: ${shots}`);
  return {
    world,
    worker,
    url: main.url,
    browser,
    shots,
    async loggedIn() {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(`${main.url}/login`);
      await page.getByLabel('Token').fill(TOKEN);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(`${main.url}/`);
      return page;
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    },
    async api(method, path, body) {
      const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
      let payload: string | undefined;
      if (body?.yaml !== undefined) [headers['content-type'], payload] = ['application/yaml', body.yaml];
      if (body?.json !== undefined) [headers['content-type'], payload] = ['application/json', JSON.stringify(body.json)];
      const res = await fetch(`${main.url}${path}`, { method, headers, body: payload });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
    },
    startApp,
    async close() {
      await browser.close();
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      await world.close();
    },
  };
}

/** A finished run of one step whose log has `count` lines (every 50th coloured), written straight to the stores. */
export async function seedLongRun(stores: Pick<World['stores'], 'runs' | 'logs'>, count: number): Promise<string> {
  const yaml = `name: Long log\nimage: ${'pistages-test/busybox:1'}\nrun: seq 1 ${count}\n`;
  const parsed = parseJob(yaml, 'job.yaml');
  if (!parsed.job) throw new Error('seed job does not parse');
  const plan = buildPlan(parsed.job, createCatalog([]).catalog, {});
  const run = await stores.runs.create({ job: plan.job, source: 'api', yaml, file: 'job.yaml', params: {}, plan });
  const runId = run.id;
  const step = { runId, group: 'main', step: 0, stepName: plan.groups[0]?.steps[0]?.name ?? 'seq', attempt: 1 };
  await stores.runs.apply({ type: 'run', runId, status: 'running', at: new Date() });
  await stores.runs.apply({ type: 'group', runId, group: 'main', attempt: 1, status: 'running', at: new Date() });
  await stores.runs.apply({ type: 'step', ...step, status: 'running', at: new Date() });
  const BATCH = 5000;
  for (let from = 0; from < count; from += BATCH) {
    const lines = [];
    for (let n = from; n < Math.min(count, from + BATCH); n++) {
      const text = n % 50 === 0 ? `\u001b[32mline ${n + 1}\u001b[0m ok` : `line ${n + 1} of the long log, with some text to make it realistic`;
      lines.push({ type: 'log' as const, ...step, seq: n, stream: 'stdout' as const, line: text, at: new Date() });
    }
    await stores.logs.append(lines);
  }
  await stores.runs.apply({ type: 'step', ...step, status: 'success', exitCode: 0, at: new Date() });
  await stores.runs.apply({ type: 'group', runId, group: 'main', attempt: 1, status: 'success', at: new Date() });
  await stores.runs.apply({ type: 'run', runId, status: 'success', at: new Date() });
  return runId;
}
