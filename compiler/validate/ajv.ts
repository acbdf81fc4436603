import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { SpecSchema } from '../schema/spec-schema.js';

let compiled: ValidateFunction | undefined;

/** The compiled spec validator (compiled once per process). */
export function specValidator(): ValidateFunction {
  compiled ??= new Ajv({
    allErrors: true,
    discriminator: true,
    strict: true,
    strictNumbers: true,
    allowUnionTypes: true,
    verbose: true,
  }).compile(SpecSchema);
  return compiled;
}

export function checkSchema(value: unknown): ErrorObject[] {
  const validate = specValidator();
  return validate(value) ? [] : [...(validate.errors ?? [])];
}
