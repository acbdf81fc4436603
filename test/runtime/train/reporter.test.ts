import { describe, expect, it } from 'vitest';
import { canDrawLiveLine, consoleReporter, type ReportStream } from '../../../runtime/train/reporter.js';

function stream(tty: { isTTY?: boolean; columns?: number }): ReportStream & { out: string[] } {
  const out: string[] = [];
  return { ...tty, out, write: (s: string | Uint8Array) => (out.push(String(s)), true) };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('progress output', () => {
  it('draws a live line only on a terminal with a width, outside CI', () => {
    expect(canDrawLiveLine(stream({ isTTY: true, columns: 80 }), {})).toBe(true);
    expect(canDrawLiveLine(stream({ isTTY: true, columns: 0 }), {})).toBe(false);
    expect(canDrawLiveLine(stream({ isTTY: true }), {})).toBe(false);
    expect(canDrawLiveLine(stream({ isTTY: false, columns: 80 }), {})).toBe(false);
    expect(canDrawLiveLine(stream({ isTTY: true, columns: 80 }), { CI: 'true' })).toBe(false);
  });

  for (const [what, tty] of [['a pipe', {}], ['a zero-width terminal', { isTTY: true, columns: 0 }]] as const) {
    it(`prints plain lines at a fixed cadence on ${what}: the first at once, then the newest, also when no status comes`, async () => {
      const s = stream(tty);
      const r = consoleReporter(s, { everyMs: 60, env: {} });
      r.status('step 1');
      r.status('step 2');
      r.log('checkpoint runs/x');
      expect(s.out).toEqual(['step 1\n', 'checkpoint runs/x\n']);
      // No status for a while (a long evaluation): the timer prints the newest one, once.
      await wait(200);
      expect(s.out).toEqual(['step 1\n', 'checkpoint runs/x\n', 'step 2\n']);
      r.status('step 3');
      await wait(200);
      r.done();
      expect(s.out.filter((l) => l.startsWith('step'))).toEqual(['step 1\n', 'step 2\n', 'step 3\n']);
      expect(s.out.join('')).not.toMatch(/\u001b\[/); // no cursor movement
    });
  }
});
