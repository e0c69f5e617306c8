import type { Tensor } from './ir';
import { TENSOR_TYPE_BYTES } from './ir';

export function tensorElementCount(tensor: Tensor): number {
  return tensor.shape.reduce((a, b) => a * b, 1);
}

/** Bytes the tensor's data takes (sub-byte types packed, rounded up). */
export function tensorByteSize(tensor: Tensor): number {
  return Math.ceil(tensorElementCount(tensor) * TENSOR_TYPE_BYTES[tensor.type]);
}
