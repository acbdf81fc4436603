export { SpecSchema, SPEC_FORMAT_VERSION } from './spec-schema.js';
export type * from './types.js';
export { editorSchema } from './editor-schema.js';
