/**
 * PAD: constant padding before and after each dimension, with 0 for float32 and the output zero
 * point for int8 (TFLite Micro's pad value when the op has no constant_values input).
 */
import { ensure, type Kernel, type KernelContext } from '../kernel';
import { ensureQuantized } from '../kernel-util';

/** Copies `input` (shape inShape, elements of `elementBytes`) into `output` (already filled with
 * the pad value) at offset `before` per dimension. */
export function padCopy(
  input: Uint8Array,
  inShape: readonly number[],
  output: Uint8Array,
  outShape: readonly number[],
  before: readonly number[],
  elementBytes: number,
): void {
  const rank = inShape.length;
  if (rank === 0) {
    output.set(input);
    return;
  }
  const outStrides = new Array<number>(rank);
  let acc = elementBytes;
  for (let d = rank - 1; d >= 0; d--) {
    outStrides[d] = acc;
    acc *= outShape[d];
  }
  const rowBytes = inShape[rank - 1] * elementBytes;
  const rows = inShape.slice(0, -1).reduce((a, b) => a * b, 1);
  const index = new Array<number>(Math.max(0, rank - 1)).fill(0);
  for (let r = 0; r < rows; r++) {
    let offset = before[rank - 1] * elementBytes;
    for (let d = 0; d < rank - 1; d++) offset += (index[d] + before[d]) * outStrides[d];
    output.set(input.subarray(r * rowBytes, (r + 1) * rowBytes), offset);
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d] < inShape[d]) break;
      index[d] = 0;
    }
  }
}

export const padKernel: Kernel = {
  op: 'PAD',
  maxVersion: 2,
  types: ['INT8', 'FLOAT32', 'INT32'],
  prepare(ctx: KernelContext) {
    const input = ctx.input(0);
    const paddings = ctx.input(1);
    const output = ctx.output(0);
    ensure(
      ['INT8', 'FLOAT32', 'INT32'].includes(input.type),
      `PAD on ${input.type} is not supported`,
    );
    ensure(output.type === input.type, `output is ${output.type} but input is ${input.type}`);
    ensure(paddings.constant, 'the paddings must be a constant tensor');
    const rank = input.shape.length;
    const pads = paddings.indices();
    ensure(pads.length === 2 * rank, `paddings hold ${pads.length} values for a ${rank}-D input`);
    const before = Array.from({ length: rank }, (_, d) => pads[2 * d]);
    for (let d = 0; d < rank; d++) {
      ensure(pads[2 * d] >= 0 && pads[2 * d + 1] >= 0, 'negative paddings are not supported');
      ensure(
        output.shape[d] === input.shape[d] + pads[2 * d] + pads[2 * d + 1],
        `output shape [${output.shape.join(', ')}] does not match the padded input`,
      );
    }
    const elementBytes = input.type === 'INT8' ? 1 : 4;
    let fill: () => void;
    if (input.type === 'INT8') {
      ensureQuantized(output, 'output');
      const [y, zp] = [output.int8(), output.zeroPoint];
      fill = () => y.fill(zp);
    } else {
      const y = output.bytes;
      fill = () => y.fill(0);
    }
    const [x, y, inShape, outShape] = [input.bytes, output.bytes, input.shape, output.shape];
    return () => {
      fill();
      padCopy(x, inShape, y, outShape, before, elementBytes);
    };
  },
};
