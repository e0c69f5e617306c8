/**
 * The kernels the interpreter runs, by builtin op name, and the support table derived from them
 * (what the analysis module reports for the 'tinyops' runtime).
 */
import type { TensorType } from '../tflite/ir';
import type { Kernel } from './kernel';
import { addKernel } from './kernels/add';
import { averagePool2dKernel } from './kernels/average-pool-2d';
import { concatenationKernel } from './kernels/concatenation';
import { conv2dKernel } from './kernels/conv-2d';
import { depthwiseConv2dKernel } from './kernels/depthwise-conv-2d';
import { dequantizeKernel } from './kernels/dequantize';
import { fullyConnectedKernel } from './kernels/fully-connected';
import { logisticKernel } from './kernels/logistic';
import { maxPool2dKernel } from './kernels/max-pool-2d';
import { meanKernel } from './kernels/mean';
import { mulKernel } from './kernels/mul';
import { padKernel } from './kernels/pad';
import { quantizeKernel } from './kernels/quantize';
import { reluKernel } from './kernels/relu';
import { relu6Kernel } from './kernels/relu6';
import { reshapeKernel } from './kernels/reshape';
import { softmaxKernel } from './kernels/softmax';

const ALL: readonly Kernel[] = [
  conv2dKernel,
  depthwiseConv2dKernel,
  fullyConnectedKernel,
  averagePool2dKernel,
  maxPool2dKernel,
  reshapeKernel,
  softmaxKernel,
  addKernel,
  mulKernel,
  quantizeKernel,
  dequantizeKernel,
  padKernel,
  concatenationKernel,
  meanKernel,
  logisticKernel,
  reluKernel,
  relu6Kernel,
];

export const KERNELS: ReadonlyMap<string, Kernel> = new Map(ALL.map((k) => [k.op, k]));

export interface OpSupportEntry {
  /** Types the kernel is chosen by (activation input type; for QUANTIZE also its float input). */
  types: TensorType[];
  /** The highest op version implemented. */
  maxVersion: number;
}

/** What the interpreter runs: op name -> tensor types and highest version. A node is run when
 * its op is listed, its version is at most maxVersion and its kernel accepts its tensors. */
export function interpreterSupport(): Record<string, OpSupportEntry> {
  const out: Record<string, OpSupportEntry> = {};
  for (const k of ALL) out[k.op] = { types: [...k.types], maxVersion: k.maxVersion };
  return out;
}
