import { Type } from '@sinclair/typebox';
import type { ObjectOptions, SchemaOptions, Static, TObject, TProperties, TSchema, TUnion } from '@sinclair/typebox';

/** A closed object: unknown keys are errors (AttnGAN's own config merge was strict too). */
export function Obj<T extends TProperties>(properties: T, options: ObjectOptions = {}): TObject<T> {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/**
 * A tagged union checked with ajv's `discriminator`, so a bad variant reports one error about the
 * tag instead of one per branch. TypeBox's Union emits anyOf, hence the Unsafe wrapper that keeps
 * the static type.
 */
export function Tagged<T extends TObject[]>(tag: string, variants: [...T], options: SchemaOptions = {}) {
  return Type.Unsafe<Static<TUnion<T>>>({ ...options, type: 'object', oneOf: variants, discriminator: { propertyName: tag } });
}

/** `T | null`; null is how a spec says "none" (no weights file, no gradient clipping). */
export function Nullable<T extends TSchema>(schema: T, options: SchemaOptions = {}) {
  return Type.Unsafe<Static<T> | null>({ ...options, anyOf: [schema, { type: 'null' }] });
}

export const Lit = Type.Literal;
export const Bool = (def: boolean, description?: string) => Type.Boolean({ default: def, ...(description ? { description } : {}) });
export const PosInt = (def: number | undefined, description?: string, extra: { minimum?: number; maximum?: number } = {}) =>
  Type.Integer({ minimum: 1, ...extra, ...(def === undefined ? {} : { default: def }), ...(description ? { description } : {}) });
export const NonNegInt = (def: number | undefined, description?: string, extra: { maximum?: number } = {}) =>
  Type.Integer({ minimum: 0, ...extra, ...(def === undefined ? {} : { default: def }), ...(description ? { description } : {}) });
export const PosNum = (def: number | undefined, description?: string, extra: { minimum?: number; maximum?: number } = {}) =>
  Type.Number({ exclusiveMinimum: 0, ...extra, ...(def === undefined ? {} : { default: def }), ...(description ? { description } : {}) });
export const NonNegNum = (def: number | undefined, description?: string, extra: { maximum?: number } = {}) =>
  Type.Number({ minimum: 0, ...extra, ...(def === undefined ? {} : { default: def }), ...(description ? { description } : {}) });
export const Enum = <T extends string>(values: readonly T[], def: T | undefined, description?: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...(def === undefined ? {} : { default: def }), ...(description ? { description } : {}) });
export const Path = (description: string) => Nullable(Type.String({ minLength: 1 }), { default: null, description });
