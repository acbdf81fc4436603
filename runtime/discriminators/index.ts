export { DownBlock, Block3x3LeakRelu, EncodeImageBy16Times, EncodeImageBy8Times, EncodeImageBy4Times, type ChannelsOptions, type EncodeImageOptions } from './conv-blocks.js';
export { CondLogits, UncondLogits, type LogitsOptions } from './logits.js';
export { DBlock, JointConditional, OneWayTrunk, avgPool2x2, oneWayChannels, type DBlockOptions, type JointConditionalOptions, type OneWayTrunkOptions } from './one-way.js';
