import { PALETTE, type BirdAttributes, type BodySize, type BeakLength } from './attributes.js';
import { Canvas, Capsule, Circle, Ellipse, Grow, HalfPlane, Intersect, PartLayer, Polygon, mix, scale, type Rgb, type Shape } from './raster.js';
import { Rng } from '../../util/rng.js';

export const MIN_SIZE = 32;
export const MAX_SIZE = 256;

export interface RenderedBird {
  /** 8-bit RGB, row-major HWC, length width × height × 3. */
  rgb: Uint8Array;
  width: number;
  height: number;
  /** The bird's true bounding box in pixels, [x, y, w, h] like CUB's `bounding_boxes.txt`. */
  bbox: [number, number, number, number];
}

/**
 * The parts a pixel can belong to, in mask-channel order. `bird` is the rest of the bird (back,
 * head below the crown, tail, eye, legs, outlines other than the wing's); `background` the scene.
 */
export const PARTS = ['background', 'wing', 'belly', 'crown', 'beak', 'bird'] as const;
export type Part = (typeof PARTS)[number];
const P_BACKGROUND = 0, P_WING = 1, P_BELLY = 2, P_CROWN = 3, P_BEAK = 4, P_BIRD = 5;

/** Soft part masks of one picture: `weights[(y·size + x)·PARTS.length + k]`, summing to 1 per pixel. */
export interface PartMasks {
  size: number;
  weights: Float32Array;
}

/** Where the bird stands; a pure function of the render seed, independent of the image size. */
interface Pose {
  /** Bird centre, in image fractions. */
  cx: number;
  cy: number;
  /** Bird scale, in image fractions (the bird is about 1.3 of these wide). */
  s: number;
  tilt: number;
  sx: 1 | -1;
}

/** Fraction of the image width the whole bird spans, before jitter. */
const SIZE_SPAN: Record<BodySize, number> = { small: 0.46, medium: 0.62, large: 0.78 };
const BEAK_LEN: Record<BeakLength, number> = { short: 0.07, medium: 0.14, long: 0.24 };
/** Local extents of the right-facing bird (units of s), beak excluded: x −0.64..0.46, y −0.36..0.36. */
const BODY_WIDTH = 1.1;

function makePose(attrs: BirdAttributes, rng: Rng): Pose {
  const span = SIZE_SPAN[attrs.size] * rng.uniform(0.93, 1.07);
  const s = span / (BODY_WIDTH + BEAK_LEN.long * 0.5);
  const halfW = (span / 2) * 1.02;
  const halfH = 0.37 * s;
  const cx = 0.5 + rng.uniform(-1, 1) * Math.max(0, 0.5 - halfW - 0.02) * 0.8;
  const cy = 0.5 + rng.uniform(-1, 1) * Math.max(0, 0.5 - halfH - 0.06) * 0.6;
  return { cx, cy, s, tilt: rng.uniform(-0.12, 0.12), sx: attrs.facing === 'right' ? 1 : -1 };
}

/** Maps the right-facing bird's local coordinates (units of s, y down) to pixels. */
class Frame {
  private readonly c: number;
  private readonly sn: number;
  constructor(private readonly p: Pose, private readonly size: number) {
    this.c = Math.cos(p.tilt);
    this.sn = Math.sin(p.tilt);
  }
  pt(x: number, y: number): [number, number] {
    const rx = this.c * x - this.sn * y;
    const ry = this.sn * x + this.c * y;
    return [(this.p.cx + this.p.sx * rx * this.p.s) * this.size, (this.p.cy + ry * this.p.s) * this.size];
  }
  len(l: number): number {
    return l * this.p.s * this.size;
  }
  /** `growPx` widens both radii (outlines: an offset ellipse is near enough and keeps `fill` fast). */
  ellipse(x: number, y: number, rx: number, ry: number, angle: number, growPx = 0): Ellipse {
    const [px, py] = this.pt(x, y);
    return new Ellipse(px, py, this.len(rx) + growPx, this.len(ry) + growPx, this.p.sx * (angle + this.p.tilt));
  }
  circle(x: number, y: number, r: number, minPx = 0, growPx = 0): Circle {
    const [px, py] = this.pt(x, y);
    return new Circle(px, py, Math.max(minPx, this.len(r)) + growPx);
  }
  poly(points: ReadonlyArray<readonly [number, number]>): Polygon {
    return new Polygon(points.map(([x, y]) => this.pt(x, y)));
  }
  capsule(x0: number, y0: number, x1: number, y1: number, r: number, minPx = 0): Capsule {
    const [a, b] = this.pt(x0, y0);
    const [c, d] = this.pt(x1, y1);
    return new Capsule(a, b, c, d, Math.max(minPx, this.len(r)));
  }
  /** Points above the local line y = y0 (the crown cap), tilted with the bird. */
  above(y0: number): HalfPlane {
    const [px, py] = this.pt(0, y0);
    const [nx, ny] = this.pt(0, y0 + 1);
    return new HalfPlane(px, py, nx - px, ny - py);
  }
}

const BEAK_COLOUR: Rgb = [0.3, 0.27, 0.24];
const LEG_COLOUR: Rgb = [0.33, 0.26, 0.22];
const BRANCH: Rgb = [0.36, 0.24, 0.14];

function drawScene(cv: Canvas, attrs: BirdAttributes, pose: Pose, rng: Rng, size: number): void {
  const P = (v: number) => v * size;
  const feetY = pose.cy + 0.34 * pose.s;
  switch (attrs.background) {
    case 'sky': {
      cv.verticalGradient([[0, [0.32, 0.58, 0.9]], [1, [0.74, 0.86, 0.97]]]);
      const clouds = 2 + rng.int(3);
      for (let i = 0; i < clouds; i++) {
        const x = rng.uniform(0, 1), y = rng.uniform(0.05, 0.75), w = rng.uniform(0.08, 0.16);
        for (let j = 0; j < 4; j++) {
          cv.fill(new Ellipse(P(x + (j - 1.5) * w * 0.6), P(y + rng.uniform(-0.02, 0.02)), P(w * rng.uniform(0.5, 0.8)), P(w * rng.uniform(0.3, 0.45))), [0.97, 0.98, 1], 0.85);
        }
      }
      drawBranch(cv, pose, rng, size, feetY, BRANCH);
      break;
    }
    case 'forest': {
      cv.verticalGradient([[0, [0.16, 0.34, 0.18]], [1, [0.3, 0.44, 0.2]]]);
      const trunks = 2 + rng.int(3);
      for (let i = 0; i < trunks; i++) {
        const x = rng.uniform(0, 1), w = rng.uniform(0.02, 0.05);
        cv.fill(new Capsule(P(x), P(-0.1), P(x + rng.uniform(-0.04, 0.04)), P(1.1), P(w)), [0.24, 0.17, 0.11]);
      }
      const leaves = 10 + rng.int(8);
      for (let i = 0; i < leaves; i++) {
        const g = rng.uniform(0.3, 0.55);
        cv.fill(new Ellipse(P(rng.uniform(0, 1)), P(rng.uniform(0, 1)), P(rng.uniform(0.05, 0.14)), P(rng.uniform(0.04, 0.09)), rng.uniform(-1, 1)), [g * 0.45, g, g * 0.35], 0.7);
      }
      drawBranch(cv, pose, rng, size, feetY, BRANCH);
      break;
    }
    case 'water': {
      const horizon = Math.min(0.85, Math.max(0.3, pose.cy + rng.uniform(-0.05, 0.1)));
      cv.verticalGradient([[0, [0.55, 0.72, 0.88]], [horizon, [0.82, 0.88, 0.92]], [1, [0.82, 0.88, 0.92]]]);
      cv.verticalGradientBelow(horizon, [0.2, 0.45, 0.58], [0.08, 0.26, 0.42]);
      const ripples = 6 + rng.int(6);
      for (let i = 0; i < ripples; i++) {
        const y = rng.uniform(horizon + 0.03, 1), x = rng.uniform(0, 1), w = rng.uniform(0.05, 0.15) * (0.5 + y);
        cv.fill(new Capsule(P(x - w), P(y), P(x + w), P(y), Math.max(0.4, P(0.006))), [0.55, 0.75, 0.85], 0.6);
      }
      // A rock to stand on.
      const rx = pose.cx + pose.sx * 0.05 * pose.s;
      cv.fill(new Ellipse(P(rx), P(feetY + 0.08 * pose.s), P(0.42 * pose.s), P(0.1 * pose.s)), [0.42, 0.4, 0.38]);
      cv.fill(new Ellipse(P(rx - 0.06 * pose.s), P(feetY + 0.05 * pose.s), P(0.28 * pose.s), P(0.05 * pose.s)), [0.55, 0.53, 0.5], 0.8);
      break;
    }
    case 'sunset': {
      cv.verticalGradient([[0, [0.32, 0.2, 0.45]], [0.45, [0.9, 0.45, 0.35]], [0.8, [1, 0.78, 0.45]], [1, [1, 0.85, 0.55]]]);
      cv.fill(new Circle(P(rng.uniform(0.15, 0.85)), P(rng.uniform(0.55, 0.8)), P(rng.uniform(0.08, 0.14))), [1, 0.93, 0.65], 0.9);
      const hills = 2 + rng.int(2);
      for (let i = 0; i < hills; i++) {
        cv.fill(new Ellipse(P(rng.uniform(0, 1)), P(1.05), P(rng.uniform(0.3, 0.6)), P(rng.uniform(0.1, 0.22))), [0.24, 0.14, 0.22]);
      }
      drawBranch(cv, pose, rng, size, feetY, [0.2, 0.12, 0.1]);
      break;
    }
    case 'grass': {
      const ground = Math.min(0.95, feetY - 0.01);
      cv.verticalGradient([[0, [0.5, 0.72, 0.92]], [1, [0.86, 0.92, 0.95]]]);
      cv.verticalGradientBelow(ground, [0.4, 0.62, 0.22], [0.22, 0.45, 0.12]);
      const blades = 14 + rng.int(10);
      for (let i = 0; i < blades; i++) {
        const x = rng.uniform(0, 1), y = rng.uniform(ground + 0.02, 1.02), h = rng.uniform(0.04, 0.1), w = rng.uniform(0.006, 0.012);
        cv.fill(new Polygon([[P(x - w), P(y)], [P(x + w), P(y)], [P(x + rng.uniform(-0.03, 0.03)), P(y - h)]]), [0.16, 0.36, 0.1], 0.8);
      }
      break;
    }
  }
}

/** A perch from one image edge to just past the bird's feet. */
function drawBranch(cv: Canvas, pose: Pose, rng: Rng, size: number, feetY: number, colour: Rgb): void {
  const fromLeft = rng.chance(0.5);
  const x0 = fromLeft ? -0.05 : 1.05;
  const x1 = pose.cx + (fromLeft ? 1 : -1) * rng.uniform(0.15, 0.3) * pose.s * 2;
  const y1 = feetY + 0.02 * pose.s;
  const y0 = y1 + rng.uniform(-0.08, 0.12);
  const r = Math.max(0.8, 0.035 * pose.s * size);
  cv.fill(new Capsule(x0 * size, y0 * size, x1 * size, y1 * size, r), colour);
}

function drawBird(cv: Canvas, attrs: BirdAttributes, f: Frame, size: number): [number, number, number, number] {
  const wing = PALETTE[attrs.wing];
  const belly = PALETTE[attrs.belly];
  const crown = PALETTE[attrs.crown];
  // The back and head take a muted version of the wing colour, so the wing itself still reads as a part.
  const body = mix(wing, [0.5, 0.5, 0.5], 0.22);
  const outline = mix(body, [0, 0, 0], 0.6);
  const ow = Math.max(0.5, f.len(0.018));
  const beakLen = BEAK_LEN[attrs.beak];

  const tail = f.poly([[-0.2, 0.0], [-0.6, 0.2], [-0.52, 0.33], [-0.14, 0.16]]);
  const BODY = [0, 0, 0.34, 0.22, -0.5] as const;
  const bodyShape = f.ellipse(...BODY);
  const head = f.circle(0.3, -0.2, 0.155);
  const beak = f.poly([[0.41, -0.245], [0.43 + beakLen, -0.19], [0.41, -0.14]]);
  const legs = [f.capsule(0.0, 0.15, -0.01, 0.34, 0.016, 0.45), f.capsule(0.09, 0.14, 0.1, 0.34, 0.016, 0.45)];
  const feet = [f.capsule(-0.05, 0.34, 0.05, 0.34, 0.014, 0.45), f.capsule(0.05, 0.34, 0.15, 0.34, 0.014, 0.45)];

  // `part(k)` says which mask the following fills paint when masks are recorded (a no-op otherwise).
  const layer = cv.partLayer;
  const part = (k: number) => {
    if (layer) layer.current = k;
  };
  part(P_BIRD);
  for (const s of [...legs, ...feet]) cv.fill(s, LEG_COLOUR);
  cv.fill(new Grow(tail, ow), outline);
  cv.fill(f.ellipse(...BODY, ow), outline);
  cv.fill(f.circle(0.3, -0.2, 0.155, 0, ow), outline);
  part(P_BEAK);
  cv.fill(new Grow(beak, ow * 0.6), mix(BEAK_COLOUR, [0, 0, 0], 0.5));
  part(P_BIRD);
  cv.fill(tail, scale(wing, 0.78));
  cv.fill(bodyShape, body);
  part(P_BELLY);
  cv.fill(new Intersect(f.ellipse(0.08, 0.1, 0.28, 0.16, -0.5), bodyShape), belly);
  const WING = [-0.07, -0.01, 0.29, 0.125, -0.42] as const;
  const wingShape = f.ellipse(...WING);
  part(P_WING); // the wing's dark rim counts as wing
  cv.fill(f.ellipse(...WING, ow), mix(wing, [0, 0, 0], 0.55));
  cv.fill(wingShape, wing);
  // Darker flight feathers at the wing tip and a pale wing bar: a wing, not a blob.
  cv.fill(new Intersect(f.ellipse(-0.26, 0.07, 0.16, 0.1, -0.42), wingShape), mix(wing, [0, 0, 0], 0.3));
  cv.fill(f.capsule(-0.02, -0.06, -0.16, 0.0, 0.012, 0.35), mix(wing, [1, 1, 1], 0.35), 0.8);
  part(P_BIRD);
  cv.fill(head, body);
  part(P_CROWN);
  cv.fill(new Intersect(head, f.above(-0.215)), crown);
  part(P_BEAK);
  cv.fill(beak, BEAK_COLOUR);
  part(P_BIRD);
  cv.fill(f.circle(0.36, -0.18, 0.03, 0.6), [0.03, 0.03, 0.03]);
  cv.fill(f.circle(0.368, -0.188, 0.01, 0.25), [1, 1, 1], 0.9);

  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const s of [tail, bodyShape, head, beak, ...feet] as Shape[]) {
    x0 = Math.min(x0, s.bounds[0]); y0 = Math.min(y0, s.bounds[1]);
    x1 = Math.max(x1, s.bounds[2]); y1 = Math.max(y1, s.bounds[3]);
  }
  x0 = Math.max(0, Math.floor(x0)); y0 = Math.max(0, Math.floor(y0));
  x1 = Math.min(size, Math.ceil(x1)); y1 = Math.min(size, Math.ceil(y1));
  return [x0, y0, x1 - x0, y1 - y0];
}

/**
 * Paint the bird into `canvas` (size × size; every pixel is overwritten) and return its bbox.
 * Callers that render many images reuse one canvas.
 */
export function paintBird(canvas: Canvas, attrs: BirdAttributes, seed: number, masks?: PartLayer): [number, number, number, number] {
  const size = canvas.width;
  if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE || canvas.height !== size) {
    throw new RangeError(`synthbirds: image size must be an integer in ${MIN_SIZE}..${MAX_SIZE}, got ${size}`);
  }
  // Pose and scene draw from separate streams so that the scene never shifts the bird.
  const pose = makePose(attrs, Rng.stream(seed ^ 0x5bd1e995));
  drawScene(canvas, attrs, pose, Rng.stream(seed ^ 0x27d4eb2f), size);
  if (!masks) return drawBird(canvas, attrs, new Frame(pose, size), size);
  // The scene covers every pixel, so everything is background until the bird is drawn over it.
  masks.reset(P_BACKGROUND);
  canvas.partLayer = masks;
  try {
    return drawBird(canvas, attrs, new Frame(pose, size), size);
  } finally {
    canvas.partLayer = null;
  }
}

/** Render into a new float canvas ([0, 1] RGB floats, HWC). */
export function renderBirdCanvas(attrs: BirdAttributes, size: number, seed: number): { canvas: Canvas; bbox: [number, number, number, number] } {
  checkSize(size);
  const canvas = new Canvas(size, size);
  return { canvas, bbox: paintBird(canvas, attrs, seed) };
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) {
    throw new RangeError(`synthbirds: image size must be an integer in ${MIN_SIZE}..${MAX_SIZE}, got ${size}`);
  }
}

const scratch = new Map<number, Canvas>();

/**
 * Draw one bird and its part masks (`PARTS` order). The picture is exactly `renderBird`'s: the
 * masks are recorded beside the same fills.
 */
export function renderBirdWithMasks(attrs: BirdAttributes, size: number, seed: number): RenderedBird & { masks: PartMasks } {
  checkSize(size);
  const canvas = new Canvas(size, size);
  const layer = new PartLayer(size, size, PARTS.length);
  const bbox = paintBird(canvas, attrs, seed, layer);
  return { rgb: canvas.toRgb8(), width: size, height: size, bbox, masks: { size, weights: layer.weights } };
}

/**
 * Draw one bird. A pure function of (attrs, size, seed): the same arguments give the same bytes, and
 * the same (attrs, seed) at another size gives the same picture at another resolution.
 */
export function renderBird(attrs: BirdAttributes, size: number, seed: number): RenderedBird {
  checkSize(size);
  let canvas = scratch.get(size);
  if (!canvas) scratch.set(size, (canvas = new Canvas(size, size)));
  const bbox = paintBird(canvas, attrs, seed);
  return { rgb: canvas.toRgb8(), width: size, height: size, bbox };
}
