/**
 * The source of src/pipeline/job-schema-validator.generated.js: ajv's standalone validation code for
 * the job schema, compiled here at build time so `pistages` never loads or compiles ajv when it
 * starts. The output is a self-contained ES module: ajv's runtime helpers it would `require` are
 * written into it.
 */
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import ucs2length from 'ajv/dist/runtime/ucs2length.js';

/** The options parseJob's messages are written for: every error, union types, strict schema checks. */
export const VALIDATOR_OPTIONS = { allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true } as const;

/** ajv runtime helpers the generated code may use, by the module ajv would require; each is one plain function. */
const HELPERS: Record<string, (...args: never[]) => unknown> = {
  'ajv/dist/runtime/ucs2length': ucs2length.default,
};

const HEADER = `// Generated from src/pipeline/schema.ts by scripts/write-schema.ts (\`npm run schema\`); do not edit.
// ajv's standalone validator of the job schema, options ${JSON.stringify(VALIDATOR_OPTIONS)}.
`;

export function schemaValidatorSource(schema: object): string {
  const ajv = new Ajv({ ...VALIDATOR_OPTIONS, code: { source: true, esm: true, lines: true } });
  const code = standaloneCode.default(ajv, ajv.compile(schema));
  const inlined = code.replace(/require\("([^"]+)"\)\.default/g, (_, module: string) => {
    const helper = HELPERS[module];
    if (!helper) {
      throw new Error(`the job schema now needs ajv's runtime helper ${module}; add it to HELPERS in scripts/schema-validator-source.ts so it is written into the validator`);
    }
    return `(${helper.toString()})`;
  });
  if (/\brequire\(/.test(inlined)) throw new Error('the generated validator still calls require(); it must be a self-contained ES module');
  return `${HEADER}${inlined.replace(/^"use strict";/, '')}\n`;
}
