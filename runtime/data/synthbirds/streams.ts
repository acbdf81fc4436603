/**
 * Purposes of the independent streams derived from one item seed: `hash32(seed, item, purpose)`.
 * Every stream is a pure function of integers, so any item can be regenerated alone and in any order.
 */
export const STREAM = { attributes: 1, captions: 2, render: 3, split: 4, heldout: 5 } as const;
