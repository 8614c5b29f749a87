import type { DeliveryLog } from '../store/store.ts';
import type { OpsMetrics } from './ops-metrics.ts';

/**
 * Hooks for the GitHub layer that need no import of it: a fetch counting GitHub's answers (handed to
 * Octokit as its `fetch`) and a DeliveryLog counting what became of each webhook delivery.
 */
export function meteredFetch(inner: typeof fetch, metrics: Pick<OpsMetrics, 'githubResponse'>): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const remaining = response.headers.get('x-ratelimit-remaining');
    metrics.githubResponse(response.status, remaining === null ? undefined : Number(remaining));
    return response;
  };
}

/** The DeliveryLog with its other methods untouched (a Proxy, so methods added to the interface pass through). */
export function meteredDeliveryLog(inner: DeliveryLog, metrics: Pick<OpsMetrics, 'webhookDelivery'>): DeliveryLog {
  const record: DeliveryLog['record'] = async (delivery, payload) => {
    const fresh = await inner.record(delivery, payload);
    if (!fresh) metrics.webhookDelivery(delivery.event, 'duplicate');
    return fresh;
  };
  const finish: DeliveryLog['finish'] = async (id, outcome, reason, now) => {
    await inner.finish(id, outcome, reason, now);
    const recorded = await inner.get(id);
    metrics.webhookDelivery(recorded?.event ?? 'unknown', outcome);
  };
  return new Proxy(inner, {
    get(target, key, receiver) {
      if (key === 'record') return record;
      if (key === 'finish') return finish;
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
