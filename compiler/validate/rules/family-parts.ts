import type { Rule } from '../rule.js';

/**
 * DF-GAN's parts go together: its hinge loss is defined on the one-way discriminator's single output,
 * its generator takes the sentence itself (no conditioning augmentation), and the one-way
 * discriminator judges one image. AttnGAN's adversarial term needs AttnGAN's two-headed D_NETs.
 * The matching-aware gradient penalty differentiates a conditional output: the one-way D's (with
 * hinge), or AttnGAN's conditional head (with adversarial, which must keep that head).
 */
export const familyParts: Rule = {
  code: 'ATTNC2020',
  name: 'family-parts',
  description: "DF-GAN's parts go together: hinge needs the one-way discriminator, which judges a single image; adversarial needs AttnGAN's discriminators; ma_gp needs a conditional output to differentiate (hinge, or adversarial with its conditional head); a fusion generator takes the sentence without conditioning augmentation",
  check(spec, ctx) {
    const oneWay = spec.discriminators.type === 'one_way';
    const dType = ctx.where('/discriminators/type');
    spec.losses.forEach((loss, i) => {
      if (loss.type === 'hinge' && !oneWay) {
        ctx.report({ pointer: `/losses/${i}/type`, message: `the \`${loss.type}\` term is defined on DF-GAN's one-way discriminator, but \`discriminators.type\` is attngan`, help: 'set `discriminators: { type: one_way }`, or use `{ type: adversarial }` with these discriminators', notes: [`discriminators.type is set at ${dType}`] });
      }
      if (loss.type === 'adversarial' && oneWay) {
        ctx.report({ pointer: `/losses/${i}/type`, message: "the `adversarial` term reads AttnGAN's conditional and unconditional heads, which the one-way discriminator does not have", help: 'use `{ type: hinge }` (DF-GAN) with `discriminators.type: one_way`', notes: [`discriminators.type is set at ${dType}`] });
      }
    });
    const types = spec.losses.map((l) => l.type);
    const gp = types.indexOf('ma_gp');
    if (gp >= 0 && oneWay && !types.includes('hinge')) {
      ctx.report({ pointer: `/losses/${gp}`, message: 'the matching-aware gradient penalty is added to the hinge loss of D, and there is no `hinge` term', help: 'add `- { type: hinge }`' });
    }
    const adversarial = spec.losses.find((l) => l.type === 'adversarial');
    if (gp >= 0 && !oneWay && adversarial && !(adversarial.conditional && spec.discriminators.conditional)) {
      const off = !spec.discriminators.conditional ? ctx.where('/discriminators/conditional') : ctx.where(`/losses/${spec.losses.indexOf(adversarial)}/conditional`);
      ctx.report({ pointer: `/losses/${gp}`, message: "the matching-aware gradient penalty differentiates the conditional head's logits, and the discriminators are trained without that head", help: 'keep the conditional head (`discriminators.conditional` and the adversarial term\'s `conditional`), or drop the `ma_gp` term', notes: [`the conditional head is turned off at ${off}`] });
    }
    const stages = spec.generator.stages;
    if (oneWay && stages.length > 1 && spec.generator.heads === 'all') {
      ctx.report({ pointer: '/discriminators/type', message: `the one-way discriminator judges the last image only, but the generator emits an image at each of its ${stages.length} stages`, help: 'use `generator.heads: last`, a single `fusion` stage, or `discriminators.type: attngan`' });
    }
    if (stages[0]?.type === 'fusion' && spec.generator.conditioning_augmentation) {
      ctx.report({ pointer: '/generator/conditioning_augmentation', message: 'a `fusion` generator (DF-GAN) conditions every block on [z, sentence] itself, without conditioning augmentation', help: 'set `generator.conditioning_augmentation: false` (and drop the `kl` term)' });
    }
  },
};
