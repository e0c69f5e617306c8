import type { Model } from '../../shared/tflite/ir';
import { opName } from '../../shared/tflite';
import { constantAsFloat, float32Bytes } from '../../shared/quant/tensor-data';

/**
 * Writes a float TFLite graph as a TF.js layers model (model.json + one .bin shard) the way a
 * Keras training script would have built it: every conv and dense followed by an unfused
 * BatchNormalization (weights divided so the product is unchanged), activations as separate
 * ReLU layers, a Dropout after each, Flatten for the final reshape. Importing it back and
 * cleaning up must give the original graph: the test of the importer and of the clean-up.
 * (Used by the tests and by scripts/make-quant-fixtures.ts.)
 */

type Json = Record<string, unknown>;

/** One weight of the export: its Keras name (`layer/kernel`), layer, shape and values. */
export interface ExportedWeight {
  name: string;
  shape: number[];
  values: ArrayLike<number>;
}

export function exportKeras(
  model: Model,
  seed = 7,
): { modelConfig: Json; weights: ExportedWeight[] } {
  const sg = model.subgraphs[0];
  let a = seed;
  const rand = () => {
    a = (a * 16807) % 2147483647;
    return a / 2147483647;
  };
  const layers: Json[] = [];
  const weights: ExportedWeight[] = [];
  const layerOf = new Map<number, string>();
  let counter = 0;
  const add = (className: string, config: Json, inputs: string[]): string => {
    const name = `${className.toLowerCase()}_${counter++}`;
    layers.push({
      class_name: className,
      name,
      config: { name, ...config },
      inbound_nodes: inputs.length ? [inputs.map((i) => [i, 0, 0, {}])] : [],
    });
    return name;
  };
  const input = sg.tensors[sg.inputs[0]];
  layerOf.set(
    sg.inputs[0],
    add('InputLayer', { batch_input_shape: [null, ...input.shape.slice(1)], dtype: 'float32' }, []),
  );
  const activation = (layer: string, act: string): string => {
    if (act === 'NONE') return layer;
    const relu = add(
      'ReLU',
      { max_value: act === 'RELU6' ? 6 : null, negative_slope: 0, threshold: 0 },
      [layer],
    );
    return add('Dropout', { rate: 0.1 }, [relu]);
  };
  for (const op of sg.operators) {
    const name = opName(model, op);
    const x = layerOf.get(op.inputs[0])!;
    const o = op.builtinOptions ?? { $type: '' };
    const act = (o.fused_activation_function as string) ?? 'NONE';
    let out: string;
    if (name === 'CONV_2D' || name === 'DEPTHWISE_CONV_2D' || name === 'FULLY_CONNECTED') {
      const wt = sg.tensors[op.inputs[1]];
      const w = constantAsFloat(model, wt);
      const b = constantAsFloat(model, sg.tensors[op.inputs[2]]);
      const channels = b.length;
      // BN(y) = k * y + shift with k = gamma / sqrt(var + eps), shift = beta - mean * k.
      const gamma = Float32Array.from({ length: channels }, () => 0.5 + rand());
      const variance = Float32Array.from({ length: channels }, () => 0.5 + rand());
      const mean = Float32Array.from({ length: channels }, () => rand() - 0.5);
      const beta = Float32Array.from({ length: channels }, () => rand() - 0.5);
      const eps = 1e-3;
      const k = gamma.map((g, c) => g / Math.sqrt(variance[c] + eps));
      const shift = beta.map((bt, c) => bt - mean[c] * k[c]);
      const bias = b.map((v, c) => (v - shift[c]) / k[c]);
      let layer: string;
      if (name === 'FULLY_CONNECTED') {
        const [units, depth] = wt.shape;
        const kernel = new Float32Array(w.length);
        for (let u = 0; u < units; u++)
          for (let d = 0; d < depth; d++) kernel[d * units + u] = w[u * depth + d] / k[u];
        layer = add('Dense', { units, activation: 'linear', use_bias: true }, [x]);
        weights.push({ name: `${layer}/kernel`, shape: [depth, units], values: kernel });
      } else {
        const [oc, kh, kw, ic] = wt.shape;
        const common = {
          kernel_size: [kh, kw],
          strides: [o.stride_h, o.stride_w],
          padding: (o.padding as string).toLowerCase(),
          dilation_rate: [o.dilation_h_factor, o.dilation_w_factor],
          activation: 'linear',
          use_bias: true,
          data_format: 'channels_last',
        };
        if (name === 'CONV_2D') {
          const kernel = new Float32Array(w.length);
          for (let c = 0; c < oc; c++)
            for (let y = 0; y < kh; y++)
              for (let xx = 0; xx < kw; xx++)
                for (let i = 0; i < ic; i++)
                  kernel[((y * kw + xx) * ic + i) * oc + c] =
                    w[((c * kh + y) * kw + xx) * ic + i] / k[c];
          layer = add('Conv2D', { filters: oc, ...common }, [x]);
          weights.push({ name: `${layer}/kernel`, shape: [kh, kw, ic, oc], values: kernel });
        } else {
          const mult = o.depth_multiplier as number;
          const kernel = w.map((v, j) => v / k[j % ic]);
          layer = add('DepthwiseConv2D', { depth_multiplier: mult, ...common }, [x]);
          weights.push({
            name: `${layer}/depthwise_kernel`,
            shape: [kh, kw, ic / mult, mult],
            values: kernel,
          });
        }
      }
      weights.push({ name: `${layer}/bias`, shape: [channels], values: bias });
      const bn = add('BatchNormalization', { axis: -1, epsilon: eps, center: true, scale: true }, [
        layer,
      ]);
      weights.push({ name: `${bn}/gamma`, shape: [channels], values: gamma });
      weights.push({ name: `${bn}/beta`, shape: [channels], values: beta });
      weights.push({ name: `${bn}/moving_mean`, shape: [channels], values: mean });
      weights.push({ name: `${bn}/moving_variance`, shape: [channels], values: variance });
      out = activation(bn, act);
    } else if (name === 'ADD') {
      out = activation(add('Add', {}, [x, layerOf.get(op.inputs[1])!]), act);
    } else if (name === 'AVERAGE_POOL_2D' || name === 'MAX_POOL_2D') {
      out = add(
        name === 'MAX_POOL_2D' ? 'MaxPooling2D' : 'AveragePooling2D',
        {
          pool_size: [o.filter_height, o.filter_width],
          strides: [o.stride_h, o.stride_w],
          padding: (o.padding as string).toLowerCase(),
        },
        [x],
      );
    } else if (name === 'RESHAPE') {
      const shape = sg.tensors[op.outputs[0]].shape;
      out =
        shape.length === 2
          ? add('Flatten', {}, [x])
          : add('Reshape', { target_shape: shape.slice(1) }, [x]);
    } else if (name === 'SOFTMAX') {
      out = add('Activation', { activation: 'softmax' }, [x]);
    } else throw new Error(`exportTfjs: ${name} not handled`);
    layerOf.set(op.outputs[0], out);
  }
  const last = layerOf.get(sg.outputs[0])!;
  const modelConfig = {
    class_name: 'Functional',
    config: {
      name: 'model',
      layers,
      input_layers: [[layerOf.get(sg.inputs[0]), 0, 0]],
      output_layers: [[last, 0, 0]],
    },
  };
  return { modelConfig, weights };
}

/** The export as a TF.js layers model: model.json and its one weight shard. */
export function exportTfjs(model: Model, seed = 7): { modelJson: Json; bin: Uint8Array } {
  const { modelConfig, weights } = exportKeras(model, seed);
  const bin = new Uint8Array(weights.reduce((s, w) => s + w.values.length * 4, 0));
  let at = 0;
  for (const w of weights) {
    bin.set(float32Bytes(w.values), at);
    at += w.values.length * 4;
  }
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'tinyops test fixture',
    convertedBy: null,
    modelTopology: { ...modelConfig, keras_version: '2.15.0', backend: 'tensorflow' },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })),
      },
    ],
  };
  return { modelJson, bin };
}

/** The same graph in Keras 3's config.json form (`__keras_tensor__` inbound nodes, batch_shape). */
export function keras3Config(modelConfig: Json): Json {
  const config = modelConfig.config as Json;
  const tensor = (name: string) => ({
    class_name: '__keras_tensor__',
    config: { shape: null, dtype: 'float32', keras_history: [name, 0, 0] },
  });
  const layers = (config.layers as Json[]).map((l) => {
    const inbound = (l.inbound_nodes as unknown[][][]).map((node) => {
      const names = node.map((e) => e[0] as string);
      return { args: names.length === 1 ? [tensor(names[0])] : [names.map(tensor)], kwargs: {} };
    });
    const cfg = { ...(l.config as Json) };
    if (l.class_name === 'InputLayer') {
      cfg.batch_shape = cfg.batch_input_shape;
      delete cfg.batch_input_shape;
    }
    return {
      module: 'keras.layers',
      class_name: l.class_name,
      config: cfg,
      name: l.name,
      inbound_nodes: inbound,
    };
  });
  return {
    module: 'keras',
    class_name: 'Functional',
    config: { ...config, layers },
    registered_name: 'Functional',
  };
}
