import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config.ts';

test("MONGODB_URI's path names the database, as every MongoDB tool reads it", () => {
  assert.equal(loadConfig({ MONGODB_URI: 'mongodb://db.example:27017/ci' }).dbName, 'ci');
  assert.equal(loadConfig({ MONGODB_URI: 'mongodb://u:p@a:1,b:2/ci_prod?replicaSet=rs0&authSource=admin' }).dbName, 'ci_prod');
  assert.equal(loadConfig({ MONGODB_URI: 'mongodb+srv://cluster.example/team-ci' }).dbName, 'team-ci');
});

test('PISTAGES_DB wins over the URI; a URI without a database falls back to pistages', () => {
  assert.equal(loadConfig({ MONGODB_URI: 'mongodb://h/ci', PISTAGES_DB: 'other' }).dbName, 'other');
  assert.equal(loadConfig({ MONGODB_URI: 'mongodb://h:27017/' }).dbName, 'pistages');
  assert.equal(loadConfig({ MONGODB_URI: 'mongodb://h:27017/?replicaSet=rs0' }).dbName, 'pistages');
  assert.equal(loadConfig({ MONGODB_URI: 'mongodb://h:27017' }).dbName, 'pistages');
});

test('a URI naming an impossible database is a configuration error naming MONGODB_URI', () => {
  assert.throws(
    () => loadConfig({ MONGODB_URI: 'mongodb://h/a.b' }),
    (error: unknown) => error instanceof ConfigError && error.problems.some((p) => p.variable === 'MONGODB_URI' && p.message.includes("'a.b'") && p.message.includes('PISTAGES_DB')),
  );
});
