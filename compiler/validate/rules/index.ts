import type { Rule } from '../rule.js';

/** Every semantic rule, in reporting order. One file per rule; each owns one diagnostic code. */
export const rules: readonly Rule[] = [
];
