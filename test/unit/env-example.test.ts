import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parse } from 'yaml';
import { CONFIG_OPTIONS, ConfigError, ENV_EXAMPLE_PLACEHOLDER, loadConfig } from '../../src/config.ts';

interface Entry { name: string; value: string; active: boolean }
interface Service { environment?: Record<string, string>; group_add?: string[] }

/** `NAME=value` and `# NAME=value` lines of .env.example, in order. */
async function entries(): Promise<Entry[]> {
  const text = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
  const found: Entry[] = [];
  for (const line of text.split('\n')) {
    const match = /^(# )?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) found.push({ active: match[1] === undefined, name: match[2] as string, value: match[3] as string });
  }
  return found;
}

const composeText = (): Promise<string> => readFile(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
const isOption = (name: string): boolean => CONFIG_OPTIONS.some((o) => o.env === name);
/** `${NAME}`, `${NAME:?message}`, `${NAME:-default}` → the value .env.example gives NAME, as Compose substitutes it */
const substitute = (text: string, values: Record<string, string>): string =>
  text.replace(/\$\{([A-Z0-9_]+)(?::?[?-][^}]*)?\}/g, (_, name: string) => values[name] ?? '');
const uses = (text: string, name: string): boolean => new RegExp(`\\$\\{${name}[:}]`).test(text);

test('.env.example names every configuration variable once, in the order of the configuration table', async () => {
  const found = await entries();
  assert.deepEqual(found.filter((e) => isOption(e.name)).map((e) => e.name), CONFIG_OPTIONS.map((o) => o.env), 'add or move the variable in .env.example (`# NAME=default`) to match CONFIG_OPTIONS in src/config.ts');
  // the rest are values only docker-compose.yml reads (the MongoDB password, the socket's group)
  const compose = await composeText();
  for (const extra of found.filter((e) => !isOption(e.name))) {
    assert.ok(extra.active && uses(compose, extra.name), `${extra.name} is neither a configuration variable nor one docker-compose.yml requires; remove it from .env.example`);
  }
});

test('.env.example shows each default as the code defines it', async () => {
  for (const entry of (await entries()).filter((e) => !e.active)) {
    const option = CONFIG_OPTIONS.find((o) => o.env === entry.name);
    assert.equal(entry.value, option?.default ?? '', `${entry.name} shows the default of src/config.ts`);
  }
});

test('the values .env.example sets are the ones docker-compose.yml requires, and a copy left unedited cannot start', async () => {
  const compose = await composeText();
  const required = [...compose.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]);
  const active = (await entries()).filter((e) => e.active);
  assert.deepEqual(active.map((e) => e.name).sort(), [...new Set(required)].sort());
  const values = Object.fromEntries(active.map((e) => [e.name, e.value]));
  for (const [name, value] of Object.entries(values)) assert.equal(value, ENV_EXAMPLE_PLACEHOLDER, `${name} holds the placeholder`);

  // The server's environment as Compose hands it over from an unedited copy: loadConfig refuses it,
  // naming every variable a placeholder reaches (MONGODB_URI carries the MongoDB password).
  const services = (parse(compose) as { services: Record<string, Service> }).services;
  const server = services.pistages?.environment ?? {};
  const env = Object.fromEntries(Object.entries(server).map(([name, value]) => [name, substitute(String(value), values)]));
  const reached = new Set<string>();
  assert.throws(() => loadConfig(env, { role: 'server' }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    for (const [variable, value] of Object.entries(server)) {
      for (const name of Object.keys(values).filter((n) => uses(String(value), n))) {
        reached.add(name);
        assert.match(err.message, new RegExp(`${variable}: `), `the placeholder of ${name} in ${variable} is refused, naming ${variable}`);
      }
    }
    assert.doesNotMatch(err.message, /replace-me@|:\/\/pistages:/, 'the error does not quote the connection string');
    return true;
  });
  // A placeholder that reaches no option is a group name no image has: the engine refuses to
  // create the container ("Unable to find group", test/integration/ship.test.ts shows it).
  for (const name of Object.keys(values).filter((n) => !reached.has(n))) {
    const groups = Object.values(services).flatMap((s) => s.group_add ?? []);
    assert.ok(groups.some((g) => uses(g, name)) && !/^\d+$/.test(values[name] ?? ''), `${name} reaches neither the server's configuration nor group_add: a copy left unedited would start`);
  }
});
