/**
 * A tiny anti-aliased rasterizer: shapes are signed distance functions in pixel units and a pixel's
 * coverage is `clamp(0.5 − d, 0, 1)` at its centre — one evaluation per pixel instead of 16
 * supersamples, which is what keeps 10,000 birds at 64 px in the seconds range.
 */

export type Rgb = readonly [number, number, number];

export interface Shape {
  /** Signed distance in pixels from (x, y) to the outline; negative inside. */
  dist(x: number, y: number): number;
  /** Axis-aligned bounds [x0, y0, x1, y1] in pixels, outline included. */
  readonly bounds: readonly [number, number, number, number];
  /**
   * S ≥ 1 with true/S ≤ |dist| ≤ S·true (true = exact distance), per defining primitive.
   * `fill` uses it to skip runs of pixels that are certainly all outside or all inside.
   */
  readonly stretch: number;
}

const INF = 1e9;

export class Ellipse implements Shape {
  readonly bounds: [number, number, number, number];
  private readonly c: number;
  private readonly s: number;
  private readonly irx2: number;
  private readonly iry2: number;
  private readonly irx4: number;
  private readonly iry4: number;
  private readonly rmin: number;
  readonly stretch: number;
  /** Centre (cx, cy), radii rx along the rotated x axis and ry, rotation in radians (y points down). */
  constructor(readonly cx: number, readonly cy: number, rx: number, ry: number, angle = 0) {
    this.c = Math.cos(angle);
    this.s = Math.sin(angle);
    this.irx2 = 1 / (rx * rx);
    this.iry2 = 1 / (ry * ry);
    this.irx4 = this.irx2 * this.irx2;
    this.iry4 = this.iry2 * this.iry2;
    this.rmin = Math.min(rx, ry);
    // (k − 1)/|∇k| lies within [rmin, rmax]·(k − 1), and so does the true distance.
    this.stretch = Math.max(rx, ry) / this.rmin;
    const hw = Math.sqrt(rx * rx * this.c * this.c + ry * ry * this.s * this.s);
    const hh = Math.sqrt(rx * rx * this.s * this.s + ry * ry * this.c * this.c);
    this.bounds = [cx - hw, cy - hh, cx + hw, cy + hh];
  }
  dist(x: number, y: number): number {
    const dx = x - this.cx;
    const dy = y - this.cy;
    const u = this.c * dx + this.s * dy;
    const v = -this.s * dx + this.c * dy;
    const k2 = u * u * this.irx2 + v * v * this.iry2;
    const g = Math.sqrt(u * u * this.irx4 + v * v * this.iry4);
    if (g < 1e-12) return -this.rmin;
    const k = Math.sqrt(k2);
    // First-order distance to the level set k = 1: (k − 1) / |∇k|, exact enough within a pixel of the edge.
    return ((k - 1) * k) / g;
  }
}

export class Circle extends Ellipse {
  constructor(cx: number, cy: number, r: number) {
    super(cx, cy, r, r, 0);
  }
}

/** Convex polygon, either winding. Distance is the max over edge lines (exact along edges). */
export class Polygon implements Shape {
  readonly bounds: [number, number, number, number];
  readonly stretch = 1;
  private readonly nx: Float64Array;
  private readonly ny: Float64Array;
  private readonly off: Float64Array;
  constructor(points: ReadonlyArray<readonly [number, number]>) {
    const n = points.length;
    let area = 0;
    for (let i = 0; i < n; i++) {
      const [x0, y0] = points[i]!;
      const [x1, y1] = points[(i + 1) % n]!;
      area += x0 * y1 - x1 * y0;
    }
    const sign = area >= 0 ? 1 : -1;
    this.nx = new Float64Array(n);
    this.ny = new Float64Array(n);
    this.off = new Float64Array(n);
    let bx0 = INF, by0 = INF, bx1 = -INF, by1 = -INF;
    for (let i = 0; i < n; i++) {
      const [x0, y0] = points[i]!;
      const [x1, y1] = points[(i + 1) % n]!;
      const ex = x1 - x0;
      const ey = y1 - y0;
      const len = Math.hypot(ex, ey) || 1;
      // Outward normal of a positively wound (clockwise in y-down) polygon is (ey, −ex).
      const nx = (sign * ey) / len;
      const ny = (-sign * ex) / len;
      this.nx[i] = nx;
      this.ny[i] = ny;
      this.off[i] = nx * x0 + ny * y0;
      bx0 = Math.min(bx0, x0); by0 = Math.min(by0, y0); bx1 = Math.max(bx1, x0); by1 = Math.max(by1, y0);
    }
    this.bounds = [bx0, by0, bx1, by1];
  }
  dist(x: number, y: number): number {
    let d = -INF;
    for (let i = 0; i < this.nx.length; i++) {
      const e = this.nx[i]! * x + this.ny[i]! * y - this.off[i]!;
      if (e > d) d = e;
    }
    return d;
  }
}

/** A segment with round caps and radius r (legs, branches, trunks, ripples). */
export class Capsule implements Shape {
  readonly bounds: [number, number, number, number];
  readonly stretch = 1;
  private readonly dx: number;
  private readonly dy: number;
  private readonly il2: number;
  constructor(readonly x0: number, readonly y0: number, x1: number, y1: number, readonly r: number) {
    this.dx = x1 - x0;
    this.dy = y1 - y0;
    const l2 = this.dx * this.dx + this.dy * this.dy;
    this.il2 = l2 > 0 ? 1 / l2 : 0;
    this.bounds = [Math.min(x0, x1) - r, Math.min(y0, y1) - r, Math.max(x0, x1) + r, Math.max(y0, y1) + r];
  }
  dist(x: number, y: number): number {
    const px = x - this.x0;
    const py = y - this.y0;
    let t = (px * this.dx + py * this.dy) * this.il2;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return Math.hypot(px - t * this.dx, py - t * this.dy) - this.r;
  }
}

/** Everything on one side of a line: the side the normal (nx, ny) points away from. */
export class HalfPlane implements Shape {
  readonly bounds: [number, number, number, number] = [-INF, -INF, INF, INF];
  readonly stretch = 1;
  private readonly nx: number;
  private readonly ny: number;
  private readonly off: number;
  constructor(px: number, py: number, nx: number, ny: number) {
    const len = Math.hypot(nx, ny) || 1;
    this.nx = nx / len;
    this.ny = ny / len;
    this.off = this.nx * px + this.ny * py;
  }
  dist(x: number, y: number): number {
    return this.nx * x + this.ny * y - this.off;
  }
}

/** a ∩ b (a clip mask). */
export class Intersect implements Shape {
  readonly bounds: [number, number, number, number];
  readonly stretch: number;
  constructor(readonly a: Shape, readonly b: Shape) {
    // The max is attained by one primitive, whose own bound carries over to the skipped pixels.
    this.stretch = Math.max(a.stretch, b.stretch);
    this.bounds = [
      Math.max(a.bounds[0], b.bounds[0]),
      Math.max(a.bounds[1], b.bounds[1]),
      Math.min(a.bounds[2], b.bounds[2]),
      Math.min(a.bounds[3], b.bounds[3]),
    ];
  }
  dist(x: number, y: number): number {
    return Math.max(this.a.dist(x, y), this.b.dist(x, y));
  }
}

/** The shape grown by `w` pixels (outlines). Grow an ellipse by growing its radii instead. */
export class Grow implements Shape {
  readonly bounds: [number, number, number, number];
  readonly stretch: number;
  constructor(readonly shape: Shape, readonly w: number) {
    // Shifting an inexact distance by w breaks the two-sided bound: no skipping unless exact.
    this.stretch = shape.stretch === 1 ? 1 : INF;
    const b = shape.bounds;
    this.bounds = [b[0] - w, b[1] - w, b[2] + w, b[3] + w];
  }
  dist(x: number, y: number): number {
    return this.shape.dist(x, y) - this.w;
  }
}

/** A float RGB image, row-major HWC, values nominally in [0, 1]. */
/**
 * Which part painted each pixel, kept beside a canvas's colours: `parts` soft masks, pixel-major
 * (`weights[(y·width + x)·parts + k]`). Every fill with opacity a scales what was visible by 1 − a
 * and gives a to the current part, the same compositing as the colours, so the weights of a pixel
 * sum to 1 and say how much of its colour each part contributed.
 */
export class PartLayer {
  readonly weights: Float32Array;
  /** The part the next fills belong to. */
  current = 0;
  constructor(readonly width: number, readonly height: number, readonly parts: number) {
    this.weights = new Float32Array(width * height * parts);
  }
  /** Every pixel belongs wholly to `part` (after an opaque fill of the whole canvas). */
  reset(part: number): void {
    this.weights.fill(0);
    for (let o = part; o < this.weights.length; o += this.parts) this.weights[o] = 1;
  }
  /** Composite the current part over pixel `p` with opacity `a`. */
  paint(p: number, a: number): void {
    const w = this.weights;
    const o = p * this.parts;
    const keep = 1 - a;
    for (let k = 0; k < this.parts; k++) w[o + k] = w[o + k]! * keep;
    w[o + this.current] = w[o + this.current]! + a;
  }
}

export class Canvas {
  readonly data: Float32Array;
  /** When set, fills also record which part painted each pixel (masks; off for plain rendering). */
  partLayer: PartLayer | null = null;
  constructor(readonly width: number, readonly height: number) {
    this.data = new Float32Array(width * height * 3);
  }

  /** Composite `colour` over the canvas with opacity `alpha` × coverage. */
  fill(shape: Shape, colour: Rgb, alpha = 1): void {
    if (this.partLayer) {
      this.fillTracked(shape, colour, alpha, this.partLayer);
      return;
    }
    const [bx0, by0, bx1, by1] = shape.bounds;
    // One pixel of margin: coverage reaches 0 half a pixel outside the outline.
    const x0 = Math.max(0, Math.floor(bx0 - 1));
    const y0 = Math.max(0, Math.floor(by0 - 1));
    const x1 = Math.min(this.width - 1, Math.ceil(bx1 + 1));
    const y1 = Math.min(this.height - 1, Math.ceil(by1 + 1));
    const [r, g, b] = colour;
    const d = this.data;
    const S = shape.stretch;
    const canSkip = S < 16;
    for (let y = y0; y <= y1; y++) {
      const cy = y + 0.5;
      const row = y * this.width;
      let x = x0;
      while (x <= x1) {
        const dist = shape.dist(x + 0.5, cy);
        if (dist >= 0.5) {
          // Sphere tracing along the row: the next m pixels are certainly outside too.
          const m = canSkip ? Math.floor(dist / S - 0.5 * S) : 0;
          x += m > 0 ? m + 1 : 1;
          continue;
        }
        if (dist <= -0.5) {
          // ...or certainly inside: fill them without evaluating the shape.
          let m = canSkip ? Math.floor(-dist / S - 0.5 * S) : 0;
          if (m < 0) m = 0;
          if (x + m > x1) m = x1 - x;
          let o = (row + x) * 3;
          for (let k = 0; k <= m; k++, o += 3) {
            d[o] = d[o]! + (r - d[o]!) * alpha;
            d[o + 1] = d[o + 1]! + (g - d[o + 1]!) * alpha;
            d[o + 2] = d[o + 2]! + (b - d[o + 2]!) * alpha;
          }
          x += m + 1;
          continue;
        }
        const a = (0.5 - dist) * alpha;
        const o = (row + x) * 3;
        d[o] = d[o]! + (r - d[o]!) * a;
        d[o + 1] = d[o + 1]! + (g - d[o + 1]!) * a;
        d[o + 2] = d[o + 2]! + (b - d[o + 2]!) * a;
        x++;
      }
    }
  }

  /** `fill` that also paints `layer`: per pixel, without the run skipping (masks are not on the hot path). */
  private fillTracked(shape: Shape, colour: Rgb, alpha: number, layer: PartLayer): void {
    const [bx0, by0, bx1, by1] = shape.bounds;
    const x0 = Math.max(0, Math.floor(bx0 - 1));
    const y0 = Math.max(0, Math.floor(by0 - 1));
    const x1 = Math.min(this.width - 1, Math.ceil(bx1 + 1));
    const y1 = Math.min(this.height - 1, Math.ceil(by1 + 1));
    const [r, g, b] = colour;
    const d = this.data;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const dist = shape.dist(x + 0.5, y + 0.5);
        if (dist >= 0.5) continue;
        const a = dist <= -0.5 ? alpha : (0.5 - dist) * alpha;
        const p = y * this.width + x;
        const o = p * 3;
        d[o] = d[o]! + (r - d[o]!) * a;
        d[o + 1] = d[o + 1]! + (g - d[o + 1]!) * a;
        d[o + 2] = d[o + 2]! + (b - d[o + 2]!) * a;
        layer.paint(p, a);
      }
    }
  }

  /** Fill every row with a vertical gradient through `stops` ([v in 0..1, colour], sorted by v). */
  verticalGradient(stops: ReadonlyArray<readonly [number, Rgb]>): void {
    const d = this.data;
    for (let y = 0; y < this.height; y++) {
      const v = (y + 0.5) / this.height;
      let i = 0;
      while (i < stops.length - 2 && v > stops[i + 1]![0]) i++;
      const [v0, c0] = stops[i]!;
      const [v1, c1] = stops[Math.min(i + 1, stops.length - 1)]!;
      const t = v1 > v0 ? Math.min(1, Math.max(0, (v - v0) / (v1 - v0))) : 0;
      const r = c0[0] + (c1[0] - c0[0]) * t;
      const g = c0[1] + (c1[1] - c0[1]) * t;
      const b = c0[2] + (c1[2] - c0[2]) * t;
      let o = y * this.width * 3;
      for (let x = 0; x < this.width; x++, o += 3) {
        d[o] = r;
        d[o + 1] = g;
        d[o + 2] = b;
      }
    }
  }

  /** Same rows as `verticalGradient`, only for rows with v >= vStart (ground, water). */
  verticalGradientBelow(vStart: number, top: Rgb, bottom: Rgb): void {
    const d = this.data;
    const yStart = Math.max(0, Math.floor(vStart * this.height));
    for (let y = yStart; y < this.height; y++) {
      const v = (y + 0.5) / this.height;
      const t = Math.min(1, Math.max(0, (v - vStart) / Math.max(1e-6, 1 - vStart)));
      // Partial coverage of the horizon row keeps the horizon anti-aliased too.
      const a = Math.min(1, Math.max(0, (y + 1) - vStart * this.height));
      const r = top[0] + (bottom[0] - top[0]) * t;
      const g = top[1] + (bottom[1] - top[1]) * t;
      const b = top[2] + (bottom[2] - top[2]) * t;
      let o = y * this.width * 3;
      for (let x = 0; x < this.width; x++, o += 3) {
        d[o] = d[o]! + (r - d[o]!) * a;
        d[o + 1] = d[o + 1]! + (g - d[o + 1]!) * a;
        d[o + 2] = d[o + 2]! + (b - d[o + 2]!) * a;
      }
    }
  }

  /** Quantise to 8-bit RGB: clamp to [0, 255], round to nearest (ties to even, the clamped-array rule). */
  toRgb8(): Uint8Array {
    const d = this.data;
    const out = new Uint8ClampedArray(d.length);
    for (let i = 0; i < d.length; i++) out[i] = d[i]! * 255;
    return new Uint8Array(out.buffer);
  }
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

export function scale(a: Rgb, k: number): Rgb {
  return [a[0] * k, a[1] * k, a[2] * k];
}
