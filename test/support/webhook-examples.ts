import { createRequire } from 'node:module';

/** GitHub's example webhook payloads from @octokit/webhooks-examples: one entry per event, with its examples. */
interface WebhookDefinition {
  name: string;
  examples: Payload[];
}

export type Payload = Record<string, unknown>;

const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];

/** The value at a dotted path (`pull_request.head.sha`; list indices as numbers). */
export function at(payload: Payload, path: string): unknown {
  let value: unknown = payload;
  for (const key of path.split('.')) value = (value as Record<string, unknown> | null | undefined)?.[key];
  return value;
}

/**
 * A deep copy (safe to edit) of the first example payload of `event` for which `where` holds;
 * throws when the package has none, so a test never passes on a payload it did not get.
 */
export function webhookExample(event: string, where: (payload: Payload) => boolean = () => true): Payload {
  const found = definitions.find((d) => d.name === event)?.examples.find((payload) => where(payload));
  if (found === undefined) throw new Error(`@octokit/webhooks-examples has no '${event}' example that matches`);
  return structuredClone(found);
}

/** A copy of `payload` with the value at `path` replaced, or removed when `value` is undefined. */
export function edited(payload: Payload, path: string, value: unknown): Payload {
  const copy = structuredClone(payload);
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, copy);
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}
