import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../cli/main.js';
import { capture } from '../../cli/capture.js';

describe('attnc compile (CLI, in process)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('--graph --format json prints the graph', async () => {
    const io = capture();
    expect(await main(['compile', 'spec/tiny.yaml', '--graph', '--format', 'json'])).toBe(0);
    const g = JSON.parse(io.out());
    expect(g.name).toBe('tiny');
    expect(g.networks.map((n: { id: string }) => n.id)).toEqual(['text_encoder', 'image_encoder', 'generator', 'discriminator_32', 'discriminator_64']);
  });

  it('a lowering error is a located diagnostic and exit 1', async () => {
    const io = capture();
    expect(await main(['compile', 'spec/tiny.yaml', '--graph', '--set', 'text_encoder.layers=2'])).toBe(1);
    expect(io.err()).toContain('error[ATTNC3004]');
    expect(io.err()).toMatch(/--> (spec\/tiny\.yaml|<--set #1>)/);
  });

  it('--check with no spec checks every shipped spec', async () => {
    const io = capture();
    expect(await main(['compile', '--check', '--no-typecheck'])).toBe(0);
    expect(io.err().match(/is up to date/g)).toHaveLength(10);
  });

  it('usage errors exit 2', async () => {
    capture();
    expect(await main(['compile'])).toBe(2);
  });
});
