import { Interpreter } from '../interp';
import type { Model } from '../tflite/ir';
import type { Int8Runner } from './evaluate';

/** Runs a quantized model with the reference interpreter (TFLite Micro's int8 arithmetic) and
 * returns every tensor's value after the inference, for SQNR per layer. */
export function interpreterRunner(model: Model): Int8Runner {
  const interp = new Interpreter(model, { source: 'the quantized model' });
  const tensors = model.subgraphs[0].tensors;
  return (inputs) => {
    interp.invokeTyped(inputs);
    return tensors.map((_, i) => {
      try {
        return interp.readTensor(i);
      } catch {
        // Tensors no node touches (none in a model we write) have no runtime buffer.
        return null;
      }
    });
  };
}
