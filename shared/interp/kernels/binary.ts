/** What ADD and MUL share: one type for both inputs and the output, numpy broadcasting as
 * precomputed index maps (null when the shapes already match), and the fused activation. */
import { ensure, type KernelContext, type TensorRef } from '../kernel';
import { broadcastIndices, ensureQuantized, ensureType, sameShape } from '../kernel-util';
import { activationOption, type Activation } from '../options';

export interface BinaryOperands {
  a: TensorRef;
  b: TensorRef;
  output: TensorRef;
  activation: Activation;
  /** Per output element, the element of input 1 / input 2 it reads (null: the same index). */
  index1: Int32Array | null;
  index2: Int32Array | null;
}

export function prepareBinary(
  ctx: KernelContext,
  optionsTable: 'AddOptions' | 'MulOptions',
): BinaryOperands {
  const activation = activationOption(ctx.options, optionsTable);
  const a = ctx.input(0);
  const b = ctx.input(1);
  const output = ctx.output(0);
  ensureType(a, ['INT8', 'FLOAT32'], 'input 1');
  ensure(
    b.type === a.type && output.type === a.type,
    `inputs and output must share one type, got ${a.type}, ${b.type}, ${output.type}`,
  );
  const broadcast = !(sameShape(a.shape, output.shape) && sameShape(b.shape, output.shape));
  const idx = broadcast ? broadcastIndices(a.shape, b.shape, output.shape) : null;
  if (a.type !== 'FLOAT32') {
    ensureQuantized(a, 'input 1');
    ensureQuantized(b, 'input 2');
    ensureQuantized(output, 'output');
  }
  return { a, b, output, activation, index1: idx?.a ?? null, index2: idx?.b ?? null };
}
