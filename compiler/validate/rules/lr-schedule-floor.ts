import type { Rule } from '../rule.js';

export const lrScheduleFloor: Rule = {
  code: 'ATTNC2010',
  name: 'lr-schedule-floor',
  description: 'an exponential schedule decays towards its floor, so the floor is at most the starting learning rate',
  check(spec, ctx) {
    const check = (phase: 'damsm' | 'gan', lr: number, lrPointer: string) => {
      const sched = spec.train[phase].schedule;
      if (sched.type === 'exponential' && sched.floor > lr) {
        ctx.report({
          pointer: `/train/${phase}/schedule/floor`,
          message: `learning-rate floor ${sched.floor} is above the starting rate ${lr}: the schedule would never decay`,
          help: `use a floor at most ${lr} (the original uses lr/10)`,
          notes: [`the starting rate is set at ${ctx.where(lrPointer)}`],
        });
      }
    };
    check('damsm', spec.train.damsm.optimizer.lr, '/train/damsm/optimizer/lr');
    const g = spec.train.gan;
    const [lr, p] = g.generator_optimizer.lr <= g.discriminator_optimizer.lr
      ? [g.generator_optimizer.lr, '/train/gan/generator_optimizer/lr'] : [g.discriminator_optimizer.lr, '/train/gan/discriminator_optimizer/lr'];
    check('gan', lr, p);
  },
};
