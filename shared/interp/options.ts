/**
 * Builtin options decoded from the IR's generic form (`op.builtinOptions`, schema field names,
 * enum values as names, defaults filled in) into the typed parameters the kernels use.
 */
import type { FbUnion, FbValue } from '../tflite/ir';
import { UnsupportedNodeError } from './kernel';

export type Padding = 'SAME' | 'VALID';
export type Activation = 'NONE' | 'RELU' | 'RELU_N1_TO_1' | 'RELU6' | 'TANH' | 'SIGN_BIT';

const ACTIVATIONS: readonly Activation[] = [
  'NONE',
  'RELU',
  'RELU_N1_TO_1',
  'RELU6',
  'TANH',
  'SIGN_BIT',
];

function table(options: FbUnion | null, expected: string): Record<string, FbValue> {
  if (options === null) return {};
  if (options.$type !== expected)
    throw new UnsupportedNodeError(`builtin options are ${options.$type}, expected ${expected}`);
  return options;
}

function num(t: Record<string, FbValue>, field: string, fallback: number): number {
  const v = t[field];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'number') throw new UnsupportedNodeError(`option ${field} is not a number`);
  return v;
}

function bool(t: Record<string, FbValue>, field: string, fallback: boolean): boolean {
  const v = t[field];
  return typeof v === 'boolean' ? v : fallback;
}

function activation(t: Record<string, FbValue>): Activation {
  const v = t.fused_activation_function ?? 'NONE';
  if (typeof v !== 'string' || !ACTIVATIONS.includes(v as Activation))
    throw new UnsupportedNodeError(`unknown fused activation ${String(v)}`);
  return v as Activation;
}

function padding(t: Record<string, FbValue>): Padding {
  const v = t.padding ?? 'SAME';
  if (v !== 'SAME' && v !== 'VALID') throw new UnsupportedNodeError(`unknown padding ${String(v)}`);
  return v;
}

function positive(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new UnsupportedNodeError(`${field} must be a positive integer, got ${value}`);
  return value;
}

export interface Conv2DOptions {
  padding: Padding;
  strideW: number;
  strideH: number;
  dilationW: number;
  dilationH: number;
  activation: Activation;
}

export function conv2dOptions(options: FbUnion | null): Conv2DOptions {
  const t = table(options, 'Conv2DOptions');
  return {
    padding: padding(t),
    strideW: positive(num(t, 'stride_w', 1), 'stride_w'),
    strideH: positive(num(t, 'stride_h', 1), 'stride_h'),
    dilationW: positive(num(t, 'dilation_w_factor', 1), 'dilation_w_factor'),
    dilationH: positive(num(t, 'dilation_h_factor', 1), 'dilation_h_factor'),
    activation: activation(t),
  };
}

export interface DepthwiseConv2DOptions extends Conv2DOptions {
  depthMultiplier: number;
}

export function depthwiseConv2dOptions(options: FbUnion | null): DepthwiseConv2DOptions {
  const t = table(options, 'DepthwiseConv2DOptions');
  return {
    padding: padding(t),
    strideW: positive(num(t, 'stride_w', 1), 'stride_w'),
    strideH: positive(num(t, 'stride_h', 1), 'stride_h'),
    dilationW: positive(num(t, 'dilation_w_factor', 1), 'dilation_w_factor'),
    dilationH: positive(num(t, 'dilation_h_factor', 1), 'dilation_h_factor'),
    depthMultiplier: num(t, 'depth_multiplier', 1),
    activation: activation(t),
  };
}

export interface Pool2DOptions {
  padding: Padding;
  strideW: number;
  strideH: number;
  filterW: number;
  filterH: number;
  activation: Activation;
}

export function pool2dOptions(options: FbUnion | null): Pool2DOptions {
  const t = table(options, 'Pool2DOptions');
  return {
    padding: padding(t),
    strideW: positive(num(t, 'stride_w', 1), 'stride_w'),
    strideH: positive(num(t, 'stride_h', 1), 'stride_h'),
    filterW: positive(num(t, 'filter_width', 1), 'filter_width'),
    filterH: positive(num(t, 'filter_height', 1), 'filter_height'),
    activation: activation(t),
  };
}

export interface FullyConnectedOptions {
  activation: Activation;
  weightsFormat: string;
  keepNumDims: boolean;
}

export function fullyConnectedOptions(options: FbUnion | null): FullyConnectedOptions {
  const t = table(options, 'FullyConnectedOptions');
  const format = t.weights_format ?? 'DEFAULT';
  return {
    activation: activation(t),
    weightsFormat: String(format),
    keepNumDims: bool(t, 'keep_num_dims', false),
  };
}

export function softmaxOptions(options: FbUnion | null): { beta: number } {
  return { beta: num(table(options, 'SoftmaxOptions'), 'beta', 1) };
}

/** ADD and MUL: only the fused activation matters for int8 and float32. */
export function activationOption(
  options: FbUnion | null,
  expected: 'AddOptions' | 'MulOptions',
): Activation {
  return activation(table(options, expected));
}

export function concatenationOptions(options: FbUnion | null): {
  axis: number;
  activation: Activation;
} {
  const t = table(options, 'ConcatenationOptions');
  return { axis: num(t, 'axis', 0), activation: activation(t) };
}

export function reducerOptions(options: FbUnion | null): { keepDims: boolean } {
  return { keepDims: bool(table(options, 'ReducerOptions'), 'keep_dims', false) };
}
