/**
 * The spec validator as standalone JavaScript (ajv's standalone code), written by the build next to
 * dist/compiler/validate/ajv.js so the built CLI does not compile the schema at start-up. Same
 * options and schema as the validator compiled at run time; test/compiler/validate/standalone.test.ts
 * checks both give the same errors.
 */
import { Ajv } from 'ajv';
// A CommonJS module whose export is the function and whose `.default` is the same function.
import standalone from 'ajv/dist/standalone/index.js';
import { SpecSchema } from '../schema/spec-schema.js';
import { AJV_OPTIONS } from './ajv.js';

export function standaloneValidatorSource(): string {
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true } });
  const code = standalone.default(ajv, ajv.compile(SpecSchema));
  // ajv's ESM output still `require`s its runtime helpers (ucs2length, equal): give it one.
  return code.replace(/^"use strict";/, '"use strict";import { createRequire } from "node:module";const require = createRequire(import.meta.url);');
}
