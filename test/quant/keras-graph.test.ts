import { TinyOpsError } from '../../shared/errors';
import { FloatExecutor } from '../../shared/quant/float-exec';
import { kerasToTflite, type WeightSource } from '../../shared/quant/keras-graph';
import { quantizeModel, prepareFloatModel } from '../../shared/quant/quantize';
import { interpreterRunner } from '../../shared/quant/int8-runner';
import { evaluateQuantization } from '../../shared/quant/evaluate';
import { opName, readModel, writeModel } from '../../shared/tflite';

/** Weights from a fixed-seed generator, by Keras name. */
function weights(shapes: Record<string, number[]>): WeightSource {
  let a = 11;
  const rand = () => {
    a = (a * 16807) % 2147483647;
    return a / 2147483647 - 0.5;
  };
  const store = new Map(
    Object.entries(shapes).map(([k, shape]) => [
      k,
      { shape, values: Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, rand) },
    ]),
  );
  // A variance is positive.
  const variance = store.get('bn/moving_variance');
  if (variance) variance.values = variance.values.map((v) => Math.abs(v) + 0.5);
  return { get: (layer, name) => store.get(`${layer}/${name}`) ?? null };
}

const sequential = {
  class_name: 'Sequential',
  config: {
    name: 'small',
    layers: [
      { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 6, 6, 2] } },
      { class_name: 'ZeroPadding2D', config: { name: 'pad', padding: [1, 1] } },
      {
        class_name: 'Conv2D',
        config: {
          name: 'conv',
          filters: 4,
          kernel_size: [3, 3],
          strides: [1, 1],
          padding: 'valid',
          activation: 'relu6',
          use_bias: false,
        },
      },
      { class_name: 'MaxPooling2D', config: { name: 'pool', pool_size: [2, 2], padding: 'valid' } },
      {
        class_name: 'DepthwiseConv2D',
        config: {
          name: 'dw',
          kernel_size: 3,
          strides: 1,
          padding: 'same',
          depth_multiplier: 2,
          activation: 'linear',
        },
      },
      {
        class_name: 'BatchNormalization',
        config: { name: 'bn', axis: -1, epsilon: 0.001, center: true, scale: true },
      },
      { class_name: 'Activation', config: { name: 'act', activation: 'relu' } },
      { class_name: 'GlobalAveragePooling2D', config: { name: 'gap' } },
      { class_name: 'Dropout', config: { name: 'drop', rate: 0.5 } },
      { class_name: 'Dense', config: { name: 'fc', units: 3, activation: 'softmax' } },
    ],
  },
};
const shapes = {
  'conv/kernel': [3, 3, 2, 4],
  'dw/depthwise_kernel': [3, 3, 4, 2],
  'dw/bias': [8],
  'bn/gamma': [8],
  'bn/beta': [8],
  'bn/moving_mean': [8],
  'bn/moving_variance': [8],
  'fc/kernel': [8, 3],
  'fc/bias': [3],
};

describe('Keras layer graph -> float TFLite IR', () => {
  test('a Sequential model maps layer by layer and cleans up like the converter', () => {
    const raw = kerasToTflite(sequential, weights(shapes), 'small.json');
    const { model, cleanup } = prepareFloatModel(raw);
    const ops = model.subgraphs[0].operators.map(
      (op) => `${opName(model, op)}:${op.builtinOptions?.fused_activation_function ?? ''}`,
    );
    expect(ops).toEqual([
      'PAD:',
      'CONV_2D:RELU6',
      'MAX_POOL_2D:NONE',
      'DEPTHWISE_CONV_2D:RELU',
      'AVERAGE_POOL_2D:NONE',
      'RESHAPE:',
      'FULLY_CONNECTED:NONE',
      'SOFTMAX:',
    ]);
    expect(cleanup).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^folded MUL/),
        expect.stringMatching(/^folded ADD/),
        expect.stringMatching(/^fused RELU/),
      ]),
    );
    const sg = model.subgraphs[0];
    expect(sg.tensors[sg.outputs[0]].shape).toEqual([1, 3]);
    // The global average pool is the mean of the depthwise output over H x W.
    const exec = new FloatExecutor(model);
    const x = Float32Array.from({ length: 72 }, (_, i) => Math.sin(i));
    const v = exec.run([x]);
    const dwOut = v[sg.operators[3].outputs[0]]!;
    const gap = v[sg.operators[4].outputs[0]]!;
    for (let c = 0; c < 8; c++) {
      let sum = 0;
      for (let p = 0; p < 9; p++) sum += dwOut[p * 8 + c];
      expect(gap[c]).toBeCloseTo(sum / 9, 5);
    }
    const y = v[sg.outputs[0]]!;
    expect(y.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  test('the imported model quantizes and the interpreter runs it close to float', () => {
    const raw = kerasToTflite(sequential, weights(shapes), 'small.json');
    const samples = Array.from({ length: 16 }, (_, k) => [
      Float32Array.from({ length: 72 }, (_, i) => Math.sin(i * (k + 1))),
    ]);
    const result = quantizeModel(raw, samples, { method: 'minmax' });
    const model = readModel(writeModel(result.model));
    const ev = evaluateQuantization(
      result.floatModel,
      model,
      interpreterRunner(model),
      samples,
      null,
    );
    expect(ev.outputMeanAbsError).toBeLessThan(0.02);
    expect(ev.top1Agreement).toBeGreaterThanOrEqual(0.9);
  });

  test('missing weights and channels_first are refused with the layer named', () => {
    expect(() => kerasToTflite(sequential, weights({}), 'small.json')).toThrow(
      /Weight "kernel" of layer "conv" is missing/,
    );
    const cf = JSON.parse(JSON.stringify(sequential));
    cf.config.layers[2].config.data_format = 'channels_first';
    expect(() => kerasToTflite(cf, weights(shapes), 'small.json')).toThrow(TinyOpsError);
  });
});
