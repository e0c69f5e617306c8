/**
 * CONCATENATION along one axis. Like TFLite Micro's kernel it copies values without
 * requantizing (int8 inputs are expected to share the output's quantization) and takes no fused
 * activation.
 */
import { ensure, type Kernel, type KernelContext } from '../kernel';
import { concatenationOptions } from '../options';
import { TENSOR_TYPE_BYTES } from '../../tflite/ir';

/** Each input contributes `chunkBytes[i]` bytes per outer step, in input order. */
export function concatenate(
  inputs: readonly Uint8Array[],
  chunkBytes: readonly number[],
  outer: number,
  output: Uint8Array,
): void {
  let offset = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inputs.length; i++) {
      const n = chunkBytes[i];
      output.set(inputs[i].subarray(o * n, (o + 1) * n), offset);
      offset += n;
    }
  }
}

export const concatenationKernel: Kernel = {
  op: 'CONCATENATION',
  maxVersion: 2,
  types: ['INT8', 'FLOAT32', 'INT32'],
  prepare(ctx: KernelContext) {
    const opts = concatenationOptions(ctx.options);
    ensure(
      opts.activation === 'NONE',
      `fused activation ${opts.activation} is not supported on CONCATENATION`,
    );
    const output = ctx.output(0);
    ensure(
      ['INT8', 'FLOAT32', 'INT32'].includes(output.type),
      `CONCATENATION of ${output.type} is not supported`,
    );
    const rank = output.shape.length;
    const axis = opts.axis < 0 ? opts.axis + rank : opts.axis;
    ensure(axis >= 0 && axis < rank, `axis ${opts.axis} is out of range for a ${rank}-D output`);
    const inputs = Array.from({ length: ctx.inputCount }, (_, i) => ctx.input(i));
    ensure(inputs.length > 0, 'CONCATENATION needs at least one input');
    const elementBytes = TENSOR_TYPE_BYTES[output.type];
    const outer = output.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const inner = output.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    let along = 0;
    for (const t of inputs) {
      ensure(t.type === output.type, `input "${t.name}" is ${t.type}, the output ${output.type}`);
      ensure(
        t.shape.length === rank && t.shape.every((d, k) => k === axis || d === output.shape[k]),
        `input shape [${t.shape.join(', ')}] does not fit output [${output.shape.join(', ')}] along axis ${axis}`,
      );
      along += t.shape[axis];
    }
    ensure(
      along === output.shape[axis],
      `inputs add up to ${along} along axis ${axis}, the output has ${output.shape[axis]}`,
    );
    const chunkBytes = inputs.map((t) => t.shape[axis] * inner * elementBytes);
    const [xs, y] = [inputs.map((t) => t.bytes), output.bytes];
    return () => concatenate(xs, chunkBytes, outer, y);
  },
};
