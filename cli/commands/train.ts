import type { Command } from 'commander';
import type { TrainArgs } from '../train-app.js';

const collect = (v: string, prev: string[]) => [...prev, v];

export function register(program: Command): void {
  program
    .command('train')
    .description('run a generated model\'s training plan: DAMSM pretraining, then GAN training (exit 0 done, 1 failed, 2 usage/I/O, 130/143 stopped by SIGINT/SIGTERM after a checkpoint)')
    .argument('<generated>', 'generated model folder, e.g. generated/tiny (from `attnc compile`)')
    .option('--data <dir>', 'dataset folder (replaces the spec\'s data.dataset.root; synthetic birds need none)')
    .option('--phase <phase>', 'damsm | gan | all (the plan\'s enabled phases)', 'all')
    .option('--set <path=value>', 'override a training-plan value of the spec (train.gan.epochs=2, data.dataset.root=…), repeatable', collect, [])
    .option('--out <dir>', 'run folder (default runs/<name>-<n>)')
    .option('--resume <run>', 'continue a run (its folder or one checkpoint) at the same step, in the same run folder')
    .option('--max-steps <n>', 'stop cleanly after n steps (checkpoint + samples)')
    .option('--max-minutes <m>', 'stop cleanly after m minutes')
    .option('--seed <s>', 'seed of the initial weights, data order and noise (default: the spec\'s train.*.seed)')
    .option('--workers <n>', 'image decode worker threads', '0')
    .option('--keep <n>', 'checkpoints kept per phase besides the best', '3')
    .action(async (generated: string, opts: TrainArgs, cmd: Command) => {
      const { runTrain } = await import('../train-app.js');
      process.exitCode = await runTrain(generated, opts, cmd.optsWithGlobals().backend as string | undefined);
    });
}
