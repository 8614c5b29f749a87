import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FERRETDB_DATABASE, POSTGRES_PORT, type PostgresCluster } from './postgres-cluster.ts';
import type { SupervisorLog } from './supervised-process.ts';

const run = promisify(execFile);

/**
 * FerretDB 1.x passes a filter's top-level equalities to PostgreSQL as `_jsonb->'field' @> value`,
 * but builds every MongoDB index as a btree over `(_jsonb->'field')`, which cannot serve `@>`: each
 * filtered query is a sequential scan of the collection. For every index FerretDB builds whose first
 * key is an ascending top-level field, the embedded cluster adds a GIN index on the same expression
 * (its "equality twin"), which serves `@>`: an event trigger does it as FerretDB creates the index,
 * and a pass at each start covers indexes made before. A twin is named `<table>_<field>_eq_<hash>`; FerretDB
 * does not list it, and it goes with the table when the collection is dropped.
 */
export const EQUALITY_INDEX_SQL: readonly string[] = [
  `CREATE OR REPLACE FUNCTION public.pistages_equality_index(index_oid oid) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
  schema_name text;
  table_name text;
  key text;
  field text;
  twin text;
BEGIN
  SELECT n.nspname, c.relname, pg_get_indexdef(i.indexrelid, 1, false)
    INTO schema_name, table_name, key
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_am am ON am.oid = ic.relam
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE i.indexrelid = index_oid AND am.amname = 'btree' AND i.indkey[0] = 0 AND (i.indoption[0]::int & 1) = 0;
  IF NOT FOUND OR table_name = '_ferretdb_database_metadata'
     OR key !~ '^\\(\\(_jsonb -> ''([^'']|'''')+''::text\\)\\)$'
     OR to_regclass(format('%I._ferretdb_database_metadata', schema_name)) IS NULL THEN
    RETURN NULL;
  END IF;
  field := substring(key from '^\\(\\(_jsonb -> ''(.*)''::text\\)\\)$');
  twin := left(table_name, 30) || '_' || left(regexp_replace(field, '[^a-zA-Z0-9]', '', 'g'), 16) || '_eq_' || left(md5(table_name || key), 8);
  IF to_regclass(format('%I.%I', schema_name, twin)) IS NOT NULL THEN
    RETURN NULL;
  END IF;
  EXECUTE format('CREATE INDEX %I ON %I.%I USING gin (%s) WITH (fastupdate = off)', twin, schema_name, table_name, key);
  RETURN twin;
EXCEPTION WHEN OTHERS THEN
  -- a missing twin costs speed only; never fail FerretDB's own createIndex for it
  RAISE WARNING 'pistages: no equality index for index %: %', index_oid, SQLERRM;
  RETURN NULL;
END $fn$`,
  `CREATE OR REPLACE FUNCTION public.pistages_equality_indexes_on_create() RETURNS event_trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  command record;
BEGIN
  FOR command IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE object_type = 'index' LOOP
    PERFORM public.pistages_equality_index(command.objid);
  END LOOP;
END $fn$`,
  'DROP EVENT TRIGGER IF EXISTS pistages_equality_indexes',
  `CREATE EVENT TRIGGER pistages_equality_indexes ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION public.pistages_equality_indexes_on_create()`,
];

/** the start-up pass: a twin for every FerretDB index lacking one; prints the names it created */
export const EQUALITY_INDEX_PASS_SQL =
  "SELECT twin FROM (SELECT public.pistages_equality_index(indexrelid) AS twin FROM pg_index) created WHERE twin IS NOT NULL";

/**
 * Installs the trigger and adds the twins missing (see EQUALITY_INDEX_SQL) in FerretDB's database of
 * the embedded cluster, with `psql` from the cluster's binaries. Returns the twins it created. Without
 * `psql`, or when it fails, it warns and returns none: lookups then work, as sequential scans.
 */
export async function installEqualityIndexes(cluster: PostgresCluster, log: SupervisorLog): Promise<string[]> {
  const psql = join(cluster.binDir, 'psql');
  if (!(await access(psql, constants.X_OK).then(() => true, () => false))) {
    log.warn({ psql, feature: 'equality-indexes' }, 'psql is not installed beside postgres: filtered reads of the embedded database scan whole collections (install the postgresql-client package)');
    return [];
  }
  const connection = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', cluster.socketDir, '-p', String(POSTGRES_PORT), '-U', 'postgres', '-d', FERRETDB_DATABASE];
  const statements = [...EQUALITY_INDEX_SQL, EQUALITY_INDEX_PASS_SQL].flatMap((sql) => ['-c', sql]);
  try {
    const { stdout } = await run(psql, [...connection, ...statements], { cwd: '/', timeout: 30 * 60_000, maxBuffer: 16 * 1024 * 1024 });
    const created = stdout.split('\n').map((line) => line.trim()).filter((line) => line !== '');
    if (created.length > 0) log.info({ indexes: created }, `embedded PostgreSQL: added ${created.length} GIN indexes so that FerretDB's equality filters use an index`);
    return created;
  } catch (err) {
    // they only make lookups fast: the database works without them, so the start goes on
    const { stderr } = err as { stderr?: string };
    log.warn(
      { err, feature: 'equality-indexes' },
      `could not add the equality indexes to the embedded PostgreSQL (${stderr?.trim() || String(err)}): filtered reads scan whole collections until a restart adds them`,
    );
    return [];
  }
}
