import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { lineCharts } from '../../../runtime/figures/line-chart.js';

describe('lineCharts', () => {
  it('draws one panel per family side by side, with series in their colours and gaps for unmeasured points', () => {
    const png = lineCharts(
      [
        { title: 'accuracy', series: [{ label: 'wing', points: [[0, 10], [1, 50], [2, 80]] }, { label: 'belly', points: [[0, NaN], [1, 20], [2, 30]] }], targets: [{ label: 'target', y: 80 }], yMin: 0, yMax: 100 },
        { title: 'FID', series: [{ label: 'FID', points: [[0, 900], [2, 300]] }], logY: true },
      ],
      { xLabel: 'minutes', title: 'test', panelWidth: 300, panelHeight: 200 },
    );
    const img = PNG.sync.read(Buffer.from(png));
    expect([img.width, img.height]).toEqual([600, 236]);
    // Some pixels carry the first series' blue (#1f77b4) and the second's red (#d62728).
    let blue = 0, red = 0;
    for (let i = 0; i < img.width * img.height; i++) {
      const [r, g, b] = [img.data[i * 4]!, img.data[i * 4 + 1]!, img.data[i * 4 + 2]!];
      if (Math.abs(r - 0x1f) < 8 && Math.abs(g - 0x77) < 8 && Math.abs(b - 0xb4) < 8) blue++;
      if (Math.abs(r - 0xd6) < 8 && Math.abs(g - 0x27) < 8 && Math.abs(b - 0x28) < 8) red++;
    }
    expect(blue).toBeGreaterThan(100);
    expect(red).toBeGreaterThan(50);
  });
});
