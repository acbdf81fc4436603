/**
 * TensorFlow.js as the runtime uses it. Generated code imports tfjs from here (`attnc/runtime/tf.js`),
 * so a user's project that holds another @tensorflow/tfjs of its own still runs one tfjs instance.
 */
export * from '@tensorflow/tfjs';
