/**
 * A whole Pistages server (API, webhook, worker on the real Docker engine, GitHub integration) on
 * loopback, talking to the fake GitHub of `githubWorld()` and a MongoDB-compatible server.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { buildServices, type Services } from '../../src/main.ts';
import { serverAppDeps } from '../../src/cli/server-process.ts';
import { createApp } from '../../src/server/app.ts';
import { startTestMongo, type TestMongo } from './mongo.ts';
import { APP_ID, type GithubWorld } from './github-world.ts';
import type { Delivery } from './webhook-payloads.ts';

export const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123456789';
export const API_TOKEN = 'api-token-for-tests-0123456789';
export const SECRET_KEY = 'ab'.repeat(32);

export interface PistagesServer {
  url: string;
  services: Services;
  mongo: TestMongo;
  /** POSTs a delivery to /webhooks/github */
  deliver(delivery: Delivery): Promise<{ status: number; body: Record<string, unknown> }>;
  api<T>(path: string): Promise<T>;
  /** stops the server; `keepDatabase` leaves the database for a second server */
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

/** The environment of a test server (also for `bin/pistages serve` as a child process). */
export function serverEnv(world: GithubWorld, mongo: TestMongo, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MONGODB_URI: mongo.uri,
    PISTAGES_DB: mongo.dbName,
    PISTAGES_API_TOKEN: API_TOKEN,
    PISTAGES_SECRET_KEY: SECRET_KEY,
    PISTAGES_HOST: '127.0.0.1',
    PISTAGES_PORT: '0',
    GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
    GITHUB_APP_ID: String(APP_ID),
    GITHUB_PRIVATE_KEY: world.privateKey,
    GITHUB_API_URL: world.fake.url,
    PISTAGES_PUBLIC_URL: 'http://pistages.test:8080',
    PISTAGES_CHECKOUT_IMAGE: 'pistages/git:local',
    // steps that clone reach the fake GitHub on the host's loopback
    PISTAGES_NETWORK: 'host',
    PISTAGES_PULL_POLICY: 'never',
    PISTAGES_DEFAULT_RETRY: '0',
    PISTAGES_REPORT_INTERVAL: '300ms',
    GITHUB_WRITE_INTERVAL: '20ms',
    PISTAGES_POLL_INTERVAL: '200ms',
    PISTAGES_LOG_LEVEL: 'silent',
    ...extra,
  };
}

export async function startPistages(world: GithubWorld, options: { env?: Record<string, string>; mongo?: TestMongo; worker?: boolean } = {}): Promise<PistagesServer> {
  const mongo = options.mongo ?? (await startTestMongo());
  const config = loadConfig(serverEnv(world, mongo, options.env));
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const services = await buildServices(config, { worker: options.worker ?? true, log, github: true });
  // wired exactly as `pistages serve` wires it
  const app = createApp(serverAppDeps(services, log));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  await services.worker?.start();
  await services.github?.start();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    services,
    mongo,
    async deliver(delivery) {
      const res = await fetch(`${url}/webhooks/github`, { method: 'POST', headers: delivery.headers, body: delivery.body });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async api<T>(path: string): Promise<T> {
      const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    async close(closeOptions = {}) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.shutdown({ graceMs: 0 });
      if (!closeOptions.keepDatabase && options.mongo === undefined) await mongo.close();
    },
  };
}
