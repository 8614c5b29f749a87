/** Types of job-schema-validator.generated.js (written by `npm run schema`, see scripts/write-schema.ts). */
import type { ErrorObject } from 'ajv';

export interface JobSchemaValidator {
  /** true when `data` satisfies the job schema; otherwise `errors` holds every violation */
  (data: unknown): boolean;
  /** the errors of the last call, read right after it (the validator keeps no other state) */
  errors?: ErrorObject[] | null;
}

export declare const validate: JobSchemaValidator;
export default validate;
