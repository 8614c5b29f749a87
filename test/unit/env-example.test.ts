import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { CONFIG_OPTIONS, ConfigError, loadConfig } from '../../src/config.ts';

/** `NAME=value` and `# NAME=value` lines of .env.example, in order. */
async function entries(): Promise<{ name: string; value: string; active: boolean }[]> {
  const text = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
  const found: { name: string; value: string; active: boolean }[] = [];
  for (const line of text.split('\n')) {
    const match = /^(# )?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) found.push({ active: match[1] === undefined, name: match[2] as string, value: match[3] as string });
  }
  return found;
}

test('.env.example names every configuration variable once, in the order of the configuration table', async () => {
  assert.deepEqual((await entries()).map((e) => e.name), CONFIG_OPTIONS.map((o) => o.env), 'add or move the variable in .env.example (`# NAME=default`) to match CONFIG_OPTIONS in src/config.ts');
});

test('.env.example shows each default as the code defines it', async () => {
  for (const entry of (await entries()).filter((e) => !e.active)) {
    const option = CONFIG_OPTIONS.find((o) => o.env === entry.name);
    assert.equal(entry.value, option?.default ?? '', `${entry.name} shows the default of src/config.ts`);
  }
});

test('the values .env.example sets are the ones docker-compose.yml requires, and a copy left unedited cannot start', async () => {
  const compose = await readFile(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
  const required = [...compose.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]);
  const active = (await entries()).filter((e) => e.active);
  assert.deepEqual(active.map((e) => e.name).sort(), [...new Set(required)].sort());
  const env = Object.fromEntries(active.map((e) => [e.name, e.value]));
  assert.throws(() => loadConfig(env, { role: 'server' }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    for (const name of Object.keys(env)) assert.match(err.message, new RegExp(name), `a placeholder ${name} is refused, naming it`);
    return true;
  });
});
