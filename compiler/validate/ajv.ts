import { Ajv } from 'ajv';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import { SpecSchema } from '../schema/spec-schema.js';

export const AJV_OPTIONS: Options = {
  allErrors: true,
  discriminator: true,
  strict: true,
  strictNumbers: true,
  allowUnionTypes: true,
  verbose: true,
};

/**
 * The built CLI (dist/, scripts/build.mjs) ships this validator precompiled (ajv standalone code,
 * compiler/validate/standalone.ts), which saves compiling the schema (~0.2 s) at every start; the
 * sources compile it on first use. The build is only run when it is not older than the sources.
 */
async function precompiled(): Promise<ValidateFunction | undefined> {
  if (!import.meta.url.endsWith('.js')) return undefined;
  const file = './spec-validator.js'; // written by the build next to this file; not a source module
  try {
    return ((await import(file)) as { default: ValidateFunction }).default;
  } catch {
    return undefined;
  }
}

let compiled: ValidateFunction | undefined = await precompiled();

/** The compiled spec validator (compiled once per process). */
export function specValidator(): ValidateFunction {
  compiled ??= new Ajv(AJV_OPTIONS).compile(SpecSchema);
  return compiled;
}

export function checkSchema(value: unknown): ErrorObject[] {
  const validate = specValidator();
  return validate(value) ? [] : [...(validate.errors ?? [])];
}
