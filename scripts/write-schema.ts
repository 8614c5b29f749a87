/**
 * Writes, from src/pipeline/schema.ts, schema/pistages.schema.json (the file editors load) and
 * src/pipeline/job-schema-validator.generated.js (the compiled validator parseJob runs).
 * Run with `npm run schema` after changing the schema; test/unit/pipeline/parse-schema.test.ts fails
 * while either differs.
 */
import { writeFileSync } from 'node:fs';
import { jobSchema } from '../src/pipeline/schema.ts';
import { schemaValidatorSource } from './schema-validator-source.ts';

const files: [URL, string][] = [
  [new URL('../schema/pistages.schema.json', import.meta.url), `${JSON.stringify(jobSchema, null, 2)}\n`],
  [new URL('../src/pipeline/job-schema-validator.generated.js', import.meta.url), schemaValidatorSource(jobSchema)],
];
for (const [target, text] of files) {
  writeFileSync(target, text);
  console.log(`wrote ${target.pathname}`);
}
