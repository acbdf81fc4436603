import { createCanvas } from '@napi-rs/canvas';
import { FONT_FAMILY, ensureFont } from './font.js';

/**
 * Small multiples of line charts for benchmark reports (bench/quality-vs-time.ts): one panel per
 * quantity family, a shared x axis, a legend per panel, optional dashed target lines. PNG bytes.
 */
export interface Series {
  label: string;
  /** [x, y] points; y may be NaN (not measured) and is then skipped. */
  points: ReadonlyArray<readonly [number, number]>;
}

export interface Panel {
  title: string;
  series: readonly Series[];
  /** Horizontal reference lines (targets, floors). */
  targets?: ReadonlyArray<{ label: string; y: number }>;
  yMin?: number;
  yMax?: number;
  /** log10 y axis (FID). */
  logY?: boolean;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

export function lineCharts(panels: readonly Panel[], opts: { xLabel: string; title: string; panelWidth?: number; panelHeight?: number }): Uint8Array {
  ensureFont();
  const pw = opts.panelWidth ?? 420;
  const ph = opts.panelHeight ?? 300;
  const top = 36;
  const canvas = createCanvas(pw * panels.length, ph + top);
  const g = canvas.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.fillStyle = '#000';
  g.font = `bold 15px ${FONT_FAMILY}`;
  g.fillText(opts.title, 12, 22);
  const xs = panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([x]) => x)));
  const x0 = Math.min(0, ...xs);
  const x1 = Math.max(x0 + 1e-9, ...xs);
  panels.forEach((panel, pi) => {
    const ox = pi * pw;
    const L = ox + 52, R = ox + pw - 12, T = top + 24, B = top + ph - 40;
    const tf = (y: number) => (panel.logY ? Math.log10(Math.max(y, 1e-9)) : y);
    const ys = [...panel.series.flatMap((s) => s.points.map(([, y]) => y)), ...(panel.targets ?? []).map((t) => t.y)].filter((y) => Number.isFinite(y)).map(tf);
    let y0 = panel.yMin !== undefined ? tf(panel.yMin) : Math.min(...ys);
    let y1 = panel.yMax !== undefined ? tf(panel.yMax) : Math.max(...ys);
    if (!Number.isFinite(y0) || !Number.isFinite(y1)) [y0, y1] = [0, 1];
    if (y1 - y0 < 1e-9) [y0, y1] = [y0 - 1, y1 + 1];
    const px = (x: number) => L + ((x - x0) / (x1 - x0)) * (R - L);
    const py = (y: number) => B - ((tf(y) - y0) / (y1 - y0)) * (B - T);
    g.font = `bold 13px ${FONT_FAMILY}`;
    g.fillStyle = '#000';
    g.fillText(panel.title, L, top + 14);
    g.strokeStyle = '#888';
    g.lineWidth = 1;
    g.strokeRect(L, T, R - L, B - T);
    g.font = `11px ${FONT_FAMILY}`;
    for (let i = 0; i <= 4; i++) {
      const v = y0 + ((y1 - y0) * i) / 4;
      const y = B - ((B - T) * i) / 4;
      const shown = panel.logY ? 10 ** v : v;
      g.fillStyle = '#444';
      g.fillText(Math.abs(shown) >= 100 ? shown.toFixed(0) : shown.toFixed(1), ox + 6, y + 4);
      g.strokeStyle = '#eee';
      g.beginPath();
      g.moveTo(L + 1, y);
      g.lineTo(R - 1, y);
      g.stroke();
      const xv = x0 + ((x1 - x0) * i) / 4;
      g.fillText(xv.toFixed(1), L + ((R - L) * i) / 4 - 8, B + 16);
    }
    g.fillText(opts.xLabel, (L + R) / 2 - 20, B + 32);
    (panel.targets ?? []).forEach((t) => {
      g.strokeStyle = '#999';
      g.setLineDash([5, 4]);
      g.beginPath();
      g.moveTo(L, py(t.y));
      g.lineTo(R, py(t.y));
      g.stroke();
      g.setLineDash([]);
      g.fillStyle = '#666';
      g.fillText(t.label, R - 6 - g.measureText(t.label).width, py(t.y) - 4);
    });
    panel.series.forEach((s, si) => {
      const c = COLOURS[si % COLOURS.length]!;
      g.strokeStyle = c;
      g.fillStyle = c;
      g.lineWidth = 2;
      g.beginPath();
      let started = false;
      for (const [x, y] of s.points) {
        if (!Number.isFinite(y)) continue;
        if (started) g.lineTo(px(x), py(y));
        else g.moveTo(px(x), py(y));
        started = true;
      }
      g.stroke();
      for (const [x, y] of s.points) if (Number.isFinite(y)) g.fillRect(px(x) - 2, py(y) - 2, 4, 4);
      g.font = `11px ${FONT_FAMILY}`;
      g.fillText(s.label, L + 8, T + 14 + si * 14);
    });
  });
  return canvas.toBuffer('image/png');
}
