import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { CONFIG_OPTIONS, ConfigError, loadConfig, renderConfigTable, secretKeyBytes } from '../../src/config.ts';
import { parseDuration, parseKey32, parseSize } from '../../src/config-values.ts';

const TOKEN = 'a'.repeat(32);
const KEY_HEX = 'ab'.repeat(32);

function problemsOf(fn: () => unknown): Map<string, string> {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return new Map(error.problems.map((p) => [p.variable, p.message]));
  }
  assert.fail('expected loadConfig to throw');
}

test('defaults: an empty environment gives the documented defaults', () => {
  const config = loadConfig({ HOME: '/home/ci' });
  assert.equal(config.mongodbUri, undefined);
  assert.equal(config.dbName, 'pistages');
  assert.equal(config.dataDir, '/home/ci/.local/share/pistages');
  assert.equal(config.port, 8080);
  assert.equal(config.host, '127.0.0.1', 'an embedded server listens on loopback');
  assert.equal(config.concurrency, 2);
  assert.equal(config.defaultRetry, 1);
  assert.equal(config.defaultTimeoutMs, 3_600_000);
  assert.equal(config.logCapBytes, 10 * 1024 * 1024);
  assert.equal(config.bodyLimitBytes, 1024 * 1024);
  assert.equal(config.pullPolicy, 'if-not-present');
  assert.equal(config.network, 'bridge');
  assert.equal(config.logLevel, 'info');
  assert.equal(config.url, 'http://127.0.0.1:8080');
  assert.equal(config.secretKey, undefined);
  assert.equal(config.apiToken, undefined);
});

test('limits: operator defaults and maxima, `off` for none, a default above its maximum refused', () => {
  const config = loadConfig({});
  assert.equal(config.defaultMemoryBytes, 4 * 1024 ** 3);
  assert.equal(config.maxMemoryBytes, 16 * 1024 ** 3);
  assert.equal(config.defaultCpus, undefined);
  assert.equal(config.maxCpus, undefined);
  assert.equal(config.defaultPids, 1024);
  assert.equal(config.maxPids, 32768);
  assert.equal(config.maxTimeoutMs, 6 * 3_600_000);
  assert.equal(config.maxJobBytes, 512 * 1024);
  const set = loadConfig({ PISTAGES_DEFAULT_MEMORY: 'off', PISTAGES_MAX_CPUS: '2.5', PISTAGES_DEFAULT_CPUS: '0.5', PISTAGES_DEFAULT_PIDS: 'off' });
  assert.equal(set.defaultMemoryBytes, undefined);
  assert.equal(set.maxCpus, 2.5);
  assert.equal(set.defaultCpus, 0.5);
  assert.equal(set.defaultPids, undefined);
  const problems = problemsOf(() => loadConfig({ PISTAGES_DEFAULT_PIDS: '100', PISTAGES_MAX_PIDS: '50', PISTAGES_MAX_CPUS: 'many', PISTAGES_DEFAULT_TIMEOUT: '7h' }));
  assert.match(problems.get('PISTAGES_DEFAULT_PIDS') ?? '', /above PISTAGES_MAX_PIDS/);
  assert.match(problems.get('PISTAGES_MAX_CPUS') ?? '', /not a CPU count/);
  assert.match(problems.get('PISTAGES_DEFAULT_TIMEOUT') ?? '', /above PISTAGES_MAX_TIMEOUT/);
});

test('host: loopback with the embedded database, every interface with MONGODB_URI, as set otherwise', () => {
  assert.equal(loadConfig({ MONGODB_URI: 'mongodb://db:27017' }).host, '0.0.0.0');
  assert.equal(loadConfig({ PISTAGES_HOST: '0.0.0.0' }).host, '0.0.0.0');
  assert.equal(loadConfig({ MONGODB_URI: 'mongodb://db:27017', PISTAGES_HOST: '127.0.0.1' }).host, '127.0.0.1');
});

test('the config is frozen', () => {
  const config = loadConfig({});
  assert.ok(Object.isFrozen(config));
  assert.throws(() => {
    (config as { port: number }).port = 1;
  }, TypeError);
});

test('loadConfig reads only the env it is given', () => {
  const before = process.env.PISTAGES_PORT;
  process.env.PISTAGES_PORT = 'not a port';
  try {
    assert.equal(loadConfig({}).port, 8080);
  } finally {
    if (before === undefined) delete process.env.PISTAGES_PORT;
    else process.env.PISTAGES_PORT = before;
  }
});

test('values are parsed: durations, sizes, choices, URLs, keys', () => {
  const config = loadConfig({
    MONGODB_URI: 'mongodb://db:27017/',
    PISTAGES_PORT: '9090',
    PISTAGES_DEFAULT_TIMEOUT: '1h30m',
    PISTAGES_LEASE: '45s',
    PISTAGES_LOG_CAP: '512kb',
    PISTAGES_BODY_LIMIT: '2mb',
    PISTAGES_PULL_POLICY: 'Always',
    PISTAGES_URL: 'https://ci.example.com/',
    PISTAGES_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
    PISTAGES_API_TOKEN: TOKEN,
    DOCKER_HOST: 'tcp://docker:2375',
  });
  assert.equal(config.mongodbUri, 'mongodb://db:27017/');
  assert.equal(config.port, 9090);
  assert.equal(config.defaultTimeoutMs, 90 * 60_000);
  assert.equal(config.leaseMs, 45_000);
  assert.equal(config.logCapBytes, 512 * 1024);
  assert.equal(config.bodyLimitBytes, 2 * 1024 * 1024);
  assert.equal(config.pullPolicy, 'always');
  assert.equal(config.url, 'https://ci.example.com');
  assert.equal(config.secretKey, '07'.repeat(32));
  assert.deepEqual(secretKeyBytes(config), Buffer.alloc(32, 7));
  assert.equal(secretKeyBytes(loadConfig({})), undefined);
  assert.equal(config.dockerHost, 'tcp://docker:2375');
  assert.equal(config.token, TOKEN, 'the client falls back to PISTAGES_API_TOKEN');
});

test('PISTAGES_TOKEN wins over PISTAGES_API_TOKEN for the client', () => {
  assert.equal(loadConfig({ PISTAGES_API_TOKEN: TOKEN, PISTAGES_TOKEN: 'client-token' }).token, 'client-token');
});

test('every bad variable is reported at once, each with its fix', () => {
  const problems = problemsOf(() =>
    loadConfig({
      PISTAGES_PORT: 'http',
      PISTAGES_CONCURRENCY: '0',
      PISTAGES_DEFAULT_TIMEOUT: '10',
      PISTAGES_LOG_CAP: 'lots',
      PISTAGES_PULL_POLICY: 'sometimes',
      PISTAGES_SECRET_KEY: 'short',
      PISTAGES_API_TOKEN: 'short',
      PISTAGES_URL: 'ftp://x',
      PISTAGES_DB: 'a b',
      MONGODB_URI: 'localhost',
    }),
  );
  assert.deepEqual([...problems.keys()].sort(), [
    'MONGODB_URI', 'PISTAGES_API_TOKEN', 'PISTAGES_CONCURRENCY', 'PISTAGES_DB', 'PISTAGES_DEFAULT_TIMEOUT',
    'PISTAGES_LOG_CAP', 'PISTAGES_PORT', 'PISTAGES_PULL_POLICY', 'PISTAGES_SECRET_KEY', 'PISTAGES_URL',
  ]);
  assert.match(problems.get('PISTAGES_API_TOKEN') ?? '', /openssl rand -hex 32/);
  assert.match(problems.get('PISTAGES_SECRET_KEY') ?? '', /openssl rand -hex 32/);
  assert.match(problems.get('PISTAGES_DEFAULT_TIMEOUT') ?? '', /90s, 10m/);
  assert.match(problems.get('PISTAGES_PULL_POLICY') ?? '', /if-not-present, always, never/);
});

test('the error message names every variable', () => {
  assert.throws(() => loadConfig({ PISTAGES_PORT: '70000', PISTAGES_LEASE: 'soon' }), (error: Error) => {
    assert.match(error.message, /PISTAGES_PORT: '70000' is not a whole number from 0 to 65535/);
    assert.match(error.message, /PISTAGES_LEASE: 'soon' is not a duration/);
    return true;
  });
});

test('the server role requires an API token and says how to make one', () => {
  const problems = problemsOf(() => loadConfig({}, { role: 'server' }));
  assert.match(problems.get('PISTAGES_API_TOKEN') ?? '', /is required; generate one with `openssl rand -hex 32`/);
  assert.equal(loadConfig({ PISTAGES_API_TOKEN: TOKEN }, { role: 'server' }).apiToken, TOKEN);
  assert.equal(loadConfig({}, { role: 'client' }).apiToken, undefined);
});

test('empty variables count as unset', () => {
  assert.equal(loadConfig({ PISTAGES_PORT: '', PISTAGES_SECRET_KEY: '  ' }).port, 8080);
});

test('parseDuration, parseSize and parseKey32 edge cases', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('2d'), 172_800_000);
  assert.throws(() => parseDuration('0s'));
  assert.throws(() => parseDuration('1x'));
  assert.throws(() => parseDuration(''));
  assert.equal(parseSize('100'), 100);
  assert.equal(parseSize('1G'), 1024 ** 3);
  assert.throws(() => parseSize('-1m'));
  assert.equal(parseKey32(KEY_HEX.toUpperCase()), KEY_HEX);
  assert.equal(parseKey32(Buffer.alloc(32, 255).toString('base64url')), 'ff'.repeat(32));
  assert.throws(() => parseKey32(Buffer.alloc(31).toString('base64')));
});

test('docs/configuration.md lists every option exactly as the code defines it', async () => {
  const doc = await readFile(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  const match = /<!-- config-table:start[^>]*-->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(doc);
  assert.ok(match, 'docs/configuration.md must keep the config-table markers');
  assert.equal(match[1], renderConfigTable(), 'docs/configuration.md is out of date: paste renderConfigTable() between the markers');
  for (const option of CONFIG_OPTIONS) assert.ok(doc.includes(`\`${option.env}\``));
});

test('every Config key is filled by exactly one option', () => {
  const keys = CONFIG_OPTIONS.map((o) => o.key);
  assert.equal(new Set(keys).size, keys.length);
  assert.deepEqual(Object.keys(loadConfig({})).sort(), [...keys].sort());
});
