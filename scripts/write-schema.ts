/**
 * Writes schema/pistages.schema.json (the file editors load) from src/pipeline/schema.ts.
 * Run with `npm run schema` after changing the schema; test/unit/pipeline/parse-schema.test.ts fails
 * while the two differ.
 */
import { writeFileSync } from 'node:fs';
import { jobSchema } from '../src/pipeline/schema.ts';

const target = new URL('../schema/pistages.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(jobSchema, null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
