import { Webhooks } from '@octokit/webhooks';
import express, { type Express, type Response } from 'express';
import type { DeliveryLog } from '../store/store.ts';
import { deliverySummary } from './delivery-summary.ts';
import { HANDLED_EVENTS } from './event.ts';

/**
 * `POST /webhooks/github`: verify, remember, hand over, answer — in milliseconds, because GitHub
 * gives up after 10 s and never redelivers on its own. The signature is checked over the raw bytes
 * (`X-Hub-Signature-256`, GITHUB_WEBHOOK_SECRET) before anything is stored; an accepted delivery is
 * stored with its payload (`deliveries`, keyed by X-GitHub-Delivery, so a redelivery is recognised)
 * and its id queued for processing. Answers use the API's error shape `{error, message}`.
 */

export interface WebhookRouteDeps {
  secret: string;
  deliveries: DeliveryLog;
  /** durable hand-over; a delivery whose enqueue failed stays `received` and is picked up at the next start */
  enqueue: (deliveryId: string) => Promise<void>;
  log: { info(o: object, m?: string): void; warn(o: object, m?: string): void; error(o: object, m?: string): void };
  now: () => Date;
  /** GitHub sends at most 25 MB */
  limitBytes?: number;
}

export const WEBHOOK_PATH = '/webhooks/github';
const DEFAULT_LIMIT = 25 * 1024 * 1024;

function fail(res: Response, status: number, error: string, message: string): void {
  res.status(status).json({ error, message });
}

export function registerGithubWebhook(app: Express, deps: WebhookRouteDeps): void {
  const webhooks = new Webhooks({ secret: deps.secret });
  const raw = express.raw({ type: () => true, limit: deps.limitBytes ?? DEFAULT_LIMIT });
  app.post(WEBHOOK_PATH, raw, async (req, res) => {
    const event = req.get('x-github-event');
    const id = req.get('x-github-delivery');
    const signature = req.get('x-hub-signature-256');
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    if (event === undefined || id === undefined || !/^[\w.-]{1,100}$/.test(id) || !/^[\w-]{1,64}$/.test(event)) {
      fail(res, 400, 'invalid_request', 'not a GitHub webhook delivery: X-GitHub-Event and X-GitHub-Delivery headers are required');
      return;
    }
    const log = { delivery: id, event };
    if (signature === undefined) {
      deps.log.warn(log, 'webhook without signature refused');
      fail(res, 401, 'missing_signature', 'X-Hub-Signature-256 is missing: give the webhook (or GitHub App) a secret equal to GITHUB_WEBHOOK_SECRET');
      return;
    }
    if (body === '') {
      fail(res, 400, 'empty_body', 'the webhook body is empty; GitHub sends the event as a JSON body');
      return;
    }
    if (!(await webhooks.verify(body, signature).catch(() => false))) {
      deps.log.warn(log, 'webhook with a wrong signature refused');
      fail(res, 401, 'bad_signature', 'X-Hub-Signature-256 does not match the body: check that the webhook secret in GitHub equals GITHUB_WEBHOOK_SECRET');
      return;
    }
    if (!req.is('application/json')) {
      fail(res, 415, 'unsupported_media_type', "the webhook sends a form, not JSON: set the webhook's Content type to application/json in GitHub");
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      fail(res, 400, 'malformed_json', 'the webhook body is not valid JSON');
      return;
    }
    if (event === 'ping') {
      res.status(200).json({ ok: true, message: 'pong: the webhook reaches Pistages and its secret matches' });
      return;
    }
    const summary = deliverySummary(event, payload);
    const handled = (HANDLED_EVENTS as readonly string[]).includes(event);
    const now = deps.now();
    const fresh = await deps.deliveries.record({ id, event, receivedAt: now, ...summary }, handled ? body : '');
    if (!fresh) {
      deps.log.info({ ...log, repo: summary.repo }, 'webhook redelivered; already recorded');
      res.status(200).json({ id, duplicate: true, message: 'this delivery was received before; it is not processed again' });
      return;
    }
    if (!handled) {
      await deps.deliveries.finish(id, 'ignored', `event '${event}' starts nothing; unsubscribe from it in the GitHub App or webhook settings`, now);
      res.status(202).json({ id, ignored: true });
      return;
    }
    deps.log.info({ ...log, repo: summary.repo }, 'webhook accepted');
    res.status(202).json({ id, accepted: true });
    // the answer does not wait for the hand-over to the queue: a delivery whose hand-over is lost
    // (a crash now) is still `received`, and the periodic sweep queues it again
    deps.enqueue(id).catch((err: unknown) => deps.log.error({ ...log, err }, 'could not queue a webhook delivery; the sweep will'));
  });
}
