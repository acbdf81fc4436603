import type { Rng } from '../../util/rng.js';

/**
 * The named colours a part can take. Order is part of the format: class ids are computed from
 * indices into this list, so never reorder it (append only, and class ids of new datasets change).
 */
export const COLOURS = ['red', 'orange', 'yellow', 'green', 'blue', 'brown', 'grey', 'black', 'white'] as const;
export type ColourName = (typeof COLOURS)[number];

/** Linear-ish sRGB in [0, 1]; picked to stay distinguishable from each other and from the scenes. */
export const PALETTE: Readonly<Record<ColourName, readonly [number, number, number]>> = {
  red: [0.84, 0.11, 0.1],
  orange: [0.98, 0.52, 0.06],
  yellow: [0.98, 0.87, 0.12],
  green: [0.18, 0.62, 0.2],
  blue: [0.13, 0.33, 0.86],
  brown: [0.47, 0.29, 0.14],
  grey: [0.55, 0.56, 0.58],
  black: [0.07, 0.07, 0.08],
  white: [0.97, 0.97, 0.95],
};

export const BEAK_LENGTHS = ['short', 'medium', 'long'] as const;
export type BeakLength = (typeof BEAK_LENGTHS)[number];

export const BODY_SIZES = ['small', 'medium', 'large'] as const;
export type BodySize = (typeof BODY_SIZES)[number];

export const SCENES = ['sky', 'forest', 'water', 'sunset', 'grass'] as const;
export type Scene = (typeof SCENES)[number];

export const FACINGS = ['left', 'right'] as const;
export type Facing = (typeof FACINGS)[number];

/** What an image shows. The colour triple (wing, belly, crown) is the class. */
export interface BirdAttributes {
  wing: ColourName;
  belly: ColourName;
  crown: ColourName;
  beak: BeakLength;
  size: BodySize;
  background: Scene;
  facing: Facing;
}

/** The attributes captions talk about (facing is left out: AttnGAN trains with horizontal flips). */
export const CAPTION_ATTRIBUTES = ['wing', 'belly', 'crown', 'beak', 'size', 'background'] as const;
export type CaptionAttribute = (typeof CAPTION_ATTRIBUTES)[number];

export const COLOUR_PARTS = ['wing', 'belly', 'crown'] as const;
export type ColourPart = (typeof COLOUR_PARTS)[number];

export const NUM_CLASSES = COLOURS.length ** 3;

/** Every attribute drawn independently and uniformly. */
export function sampleAttributes(rng: Rng): BirdAttributes {
  return {
    wing: rng.pick(COLOURS),
    belly: rng.pick(COLOURS),
    crown: rng.pick(COLOURS),
    beak: rng.pick(BEAK_LENGTHS),
    size: rng.pick(BODY_SIZES),
    background: rng.pick(SCENES),
    facing: rng.pick(FACINGS),
  };
}

export type ColourTriple = readonly [wing: ColourName, belly: ColourName, crown: ColourName];

/** Class id in 1..NUM_CLASSES (1-based like CUB's `class_info.pickle`), from the colour triple. */
export function classIdOf(a: Pick<BirdAttributes, 'wing' | 'belly' | 'crown'>): number {
  const c = COLOURS.length;
  return 1 + (COLOURS.indexOf(a.wing) * c + COLOURS.indexOf(a.belly)) * c + COLOURS.indexOf(a.crown);
}

export function tripleOfClassId(classId: number): ColourTriple {
  const c = COLOURS.length;
  if (!Number.isInteger(classId) || classId < 1 || classId > NUM_CLASSES) throw new RangeError(`class id out of range: ${classId}`);
  const k = classId - 1;
  return [COLOURS[Math.floor(k / (c * c))]!, COLOURS[Math.floor(k / c) % c]!, COLOURS[k % c]!];
}

/** CUB-style class folder, e.g. `001.red_red_red` (wing_belly_crown). */
export function classDirName(classId: number): string {
  const [w, b, c] = tripleOfClassId(classId);
  return `${String(classId).padStart(3, '0')}.${w}_${b}_${c}`;
}
