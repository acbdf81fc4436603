/**
 * Weights as the files hold them: named tensors in PyTorch layout, float32. What the weight-file
 * readers and writers (safetensors, .pth, checkpoint folders) exchange with the networks
 * (runtime/nn/state.ts maps them onto a network's variables).
 */

/** A tensor in PyTorch layout. */
export interface TorchTensor {
  shape: number[];
  data: Float32Array;
}

/** An ordered state dict: `state_dict()` order when exported. */
export type TorchState = Map<string, TorchTensor>;
