import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createApp, type AppDeps } from '../../src/server/app.ts';
import { openMongoStores, type MongoStores } from '../../src/store/mongo/open-mongo-stores.ts';
import { startTestMongo, type TestMongo } from './mongo.ts';

/**
 * A real app on 127.0.0.1:<free port> over real stores on a MongoDB-compatible test server, with a
 * recording queue and a captured log. Every response body is kept, so tests can assert that a secret
 * never appeared in any answer.
 */
export const TOKEN = 't0ken-for-tests-0123456789abcdef';
export const SECRET_KEY = '5e'.repeat(32);

export interface RecordingQueue {
  ids: string[];
  failNext: boolean;
  enqueue(runId: string): Promise<void>;
}

export interface Harness {
  url: string;
  mongo: TestMongo;
  stores: MongoStores;
  queue: RecordingQueue;
  cancelled: string[];
  /** raw text of every response and every log line, in order */
  responses: string[];
  logLines: string[];
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  /** another app on the same stores, e.g. without a secret key */
  startApp(overrides: Partial<AppDeps>, env?: Record<string, string>): Promise<{ url: string; close(): Promise<void> }>;
  close(): Promise<void>;
}

export interface RequestOptions {
  /** undefined → the right token; null → no Authorization header */
  token?: string | null;
  yaml?: string;
  json?: unknown;
  /** raw body with its own content type */
  raw?: { type: string; body: string };
  headers?: Record<string, string>;
  baseUrl?: string;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export async function startHarness(): Promise<Harness> {
  const mongo = await startTestMongo();
  const stores = await openMongoStores(mongo.client, mongo.dbName, { secretKey: Buffer.from(SECRET_KEY, 'hex'), log: () => undefined });
  const queue: RecordingQueue = {
    ids: [],
    failNext: false,
    async enqueue(runId) {
      if (this.failNext) {
        this.failNext = false;
        throw new Error('queue is down');
      }
      this.ids.push(runId);
    },
  };
  const responses: string[] = [];
  const logLines: string[] = [];
  const cancelled: string[] = [];
  const servers: Server[] = [];

  const startApp: Harness['startApp'] = async (overrides, env = {}) => {
    const log = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) }));
    const config = loadConfig({ PISTAGES_API_TOKEN: TOKEN, PISTAGES_SECRET_KEY: SECRET_KEY, PISTAGES_BODY_LIMIT: '64kb', ...env });
    const app = createApp({ config, ...stores, deliveries: stores.deliveryLog, queue, log, followPollMs: 20, onCancel: (id) => cancelled.push(id), ...overrides });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: () => closeServer(server),
    };
  };
  const main = await startApp({});

  const request: Harness['request'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== null) headers.authorization = `Bearer ${options.token ?? TOKEN}`;
    let body: string | undefined;
    if (options.yaml !== undefined) [headers['content-type'], body] = ['application/yaml', options.yaml];
    if (options.json !== undefined) [headers['content-type'], body] = ['application/json', JSON.stringify(options.json)];
    if (options.raw !== undefined) [headers['content-type'], body] = [options.raw.type, options.raw.body];
    const res = await fetch(`${options.baseUrl ?? main.url}${path}`, { method, headers, body });
    const text = await res.text();
    responses.push(text);
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  };

  return {
    url: main.url,
    mongo,
    stores,
    queue,
    cancelled,
    responses,
    logLines,
    request,
    startApp,
    close: async () => {
      for (const server of servers) await closeServer(server);
      await stores.close();
      await mongo.close();
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
