/** RESHAPE: the same bytes under a new shape (the output's shape comes from the model). */
import { ensure, type Kernel, type KernelContext } from '../kernel';

export function reshape(input: Uint8Array, output: Uint8Array): void {
  output.set(input);
}

export const reshapeKernel: Kernel = {
  op: 'RESHAPE',
  maxVersion: 2,
  types: ['INT8', 'FLOAT32', 'INT32', 'UINT8', 'INT16', 'INT64', 'BOOL'],
  prepare(ctx: KernelContext) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    ensure(output.type === input.type, `output is ${output.type} but input is ${input.type}`);
    ensure(
      output.size === input.size,
      `output shape [${output.shape.join(', ')}] holds ${output.size} values, the input ${input.size}`,
    );
    const [x, y] = [input.bytes, output.bytes];
    return () => reshape(x, y);
  },
};
