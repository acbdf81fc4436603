import type { Rule } from '../rule.js';

export const snapshotInterval: Rule = {
  code: 'ATTNC2016',
  name: 'snapshot-interval',
  description: 'a snapshot interval longer than the phase only saves the final checkpoint',
  check(spec, ctx) {
    for (const phase of ['damsm', 'gan'] as const) {
      const p = spec.train[phase];
      if (p.enabled && p.snapshot_interval > p.epochs) {
        ctx.report({ severity: 'warning', pointer: `/train/${phase}/snapshot_interval`, message: `snapshot_interval ${p.snapshot_interval} is longer than the ${p.epochs} epochs of the ${phase} phase: only the final checkpoint will be saved`, help: `use at most ${p.epochs}` });
      }
    }
  },
};
