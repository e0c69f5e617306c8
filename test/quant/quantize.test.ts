import { TinyOpsError } from '../../shared/errors';
import { calibrate } from '../../shared/quant/calibrate';
import { FloatExecutor } from '../../shared/quant/float-exec';
import { roundTripError, asymmetricParams } from '../../shared/quant/params';
import { prepareFloatModel, quantizeModel } from '../../shared/quant/quantize';
import { opName, readModel, writeModel } from '../../shared/tflite';
import type { Model } from '../../shared/tflite/ir';
import { describeWithReference } from '../helpers/reference';
import { anomalySamples, loadRef, uniformSamples } from './helpers';

const opList = (m: Model) => m.subgraphs[0].operators.map((op) => opName(m, op));
const versions = (m: Model) => Object.fromEntries(m.operatorCodes.map((c) => [c.name, c.version]));

/** The structural rules of TFLite's int8 spec, checked on a quantized model. */
function checkInt8Spec(m: Model): void {
  const sg = m.subgraphs[0];
  for (const op of sg.operators) {
    const name = opName(m, op);
    const t = (i: number) => sg.tensors[i];
    for (const o of op.outputs) expect(['INT8', 'FLOAT32']).toContain(t(o).type);
    if (['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED'].includes(name)) {
      const x = t(op.inputs[0]).quantization!;
      const w = t(op.inputs[1]);
      const b = t(op.inputs[2]);
      expect(w.type).toBe('INT8');
      expect(w.quantization!.zeroPoint.every((z) => z === 0)).toBe(true);
      expect(b.type).toBe('INT32');
      expect(b.quantization!.scale.length).toBe(w.quantization!.scale.length);
      // bias scale = input scale x weight scale (float32 rounding), zero point 0
      b.quantization!.scale.forEach((s, c) =>
        expect(s).toBe(Math.fround(x.scale[0] * w.quantization!.scale[c])),
      );
      expect(b.quantization!.zeroPoint.every((z) => z === 0)).toBe(true);
      const q = new Int8Array(m.buffers[w.buffer].data.slice().buffer);
      expect(Math.min(...q)).toBeGreaterThanOrEqual(-127);
    }
    if (name === 'SOFTMAX' || name === 'LOGISTIC') {
      expect(t(op.outputs[0]).quantization!.scale).toEqual([1 / 256]);
      expect(t(op.outputs[0]).quantization!.zeroPoint).toEqual([-128]);
    }
    if (['RESHAPE', 'AVERAGE_POOL_2D', 'MAX_POOL_2D'].includes(name)) {
      expect(t(op.outputs[0]).quantization!.scale).toEqual(t(op.inputs[0]).quantization!.scale);
      expect(t(op.outputs[0]).quantization!.zeroPoint).toEqual(
        t(op.inputs[0]).quantization!.zeroPoint,
      );
    }
  }
}

/** Per op: the weight's channel count and quantized dimension. */
const weightAxes = (m: Model) =>
  m.subgraphs[0].operators
    .filter((op) => ['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED'].includes(opName(m, op)))
    .map((op) => {
      const q = m.subgraphs[0].tensors[op.inputs[1]].quantization!;
      return `${opName(m, op)}:${q.scale.length}@${q.quantizedDimension}`;
    });

describeWithReference("float MLPerf Tiny / TFLM models -> int8 like the converter's twins", () => {
  // Calibration data: ad01 on the real anomaly-detection features; ic01 on uniform [0, 255)
  // images and vww01 on uniform [0, 1) images (no CIFAR-10 / COCO images in the reference set);
  // kws01 (hybrid) on uniform [0, 1) features.
  const cases: Array<[string, string, () => Float32Array[]]> = [
    ['ad01_fp32', 'ad01_int8', () => anomalySamples().slice(0, 20)],
    ['ic01_resnet_float32', 'ic01_resnet_quant', () => uniformSamples(3072, 4, 255)],
    ['vww01_96_float32', 'vww01_96_int8', () => uniformSamples(96 * 96 * 3, 3, 1)],
    ['kws01_ref_float32', 'kws01_ref_int8', () => uniformSamples(490, 8, 1)],
  ];
  test.each(cases)(
    '%s: same ops, op versions, per-channel axes and bias scales as %s',
    (floatName, twinName, samples) => {
      const twin = loadRef(`mlperf-tiny/${twinName}.tflite`);
      const { model } = quantizeModel(
        loadRef(`mlperf-tiny/${floatName}.tflite`),
        samples().map((s) => [s]),
        { method: 'minmax' },
      );
      const reread = readModel(writeModel(model));
      expect(opList(reread)).toEqual(opList(twin));
      const twinVersions = versions(twin);
      for (const [name, v] of Object.entries(versions(reread)))
        expect([name, v]).toEqual([name, twinVersions[name]]);
      expect(weightAxes(reread)).toEqual(weightAxes(twin));
      checkInt8Spec(reread);
      const io = (m: Model) =>
        [...m.subgraphs[0].inputs, ...m.subgraphs[0].outputs].map(
          (t) => m.subgraphs[0].tensors[t].type,
        );
      expect(io(reread)).toEqual(io(twin));
    },
  );

  test('hello_world_float quantizes to int8 FULLY_CONNECTED v4 with per-tensor weights', () => {
    const x = Array.from({ length: 64 }, (_, i) => [Float32Array.of((i / 64) * 2 * Math.PI)]);
    const { model } = quantizeModel(
      loadRef('tflm/examples/hello_world__hello_world_float.tflite'),
      x,
      { method: 'minmax' },
    );
    expect(versions(model)).toEqual({ FULLY_CONNECTED: 4 });
    expect(weightAxes(model)).toEqual([
      'FULLY_CONNECTED:1@0',
      'FULLY_CONNECTED:1@0',
      'FULLY_CONNECTED:1@0',
    ]);
    checkInt8Spec(model);
    const input = model.subgraphs[0].tensors[model.subgraphs[0].inputs[0]];
    expect(input.type).toBe('INT8');
    expect(input.quantization!.min[0]).toBe(0);
  });

  test('--float-io keeps float32 I/O with QUANTIZE first and DEQUANTIZE last', () => {
    const { model } = quantizeModel(
      loadRef('mlperf-tiny/ad01_fp32.tflite'),
      anomalySamples()
        .slice(0, 5)
        .map((s) => [s]),
      { method: 'minmax', floatIo: true },
    );
    const names = opList(model);
    expect(names[0]).toBe('QUANTIZE');
    expect(names.at(-1)).toBe('DEQUANTIZE');
    const sg = model.subgraphs[0];
    expect(sg.tensors[sg.inputs[0]].type).toBe('FLOAT32');
    expect(sg.tensors[sg.outputs[0]].type).toBe('FLOAT32');
    expect(versions(model)).toMatchObject({ QUANTIZE: 1, DEQUANTIZE: 2, FULLY_CONNECTED: 4 });
    checkInt8Spec(model);
  });

  test('--per-tensor gives one weight scale per conv', () => {
    const { model } = quantizeModel(
      loadRef('mlperf-tiny/ic01_resnet_float32.tflite'),
      uniformSamples(3072, 2, 255).map((s) => [s]),
      {
        method: 'minmax',
        perChannel: false,
      },
    );
    expect(weightAxes(model).every((a) => a.includes(':1@'))).toBe(true);
    checkInt8Spec(model);
  });

  test('an int8 model is refused, naming the tensors that are not float', () => {
    expect(() =>
      quantizeModel(loadRef('mlperf-tiny/ad01_int8.tflite'), [[new Float32Array(640)]], {
        method: 'minmax',
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'QUANT_NOT_FLOAT',
        message: expect.stringContaining('"input_1" (INT8)'),
      }),
    );
  });

  test('NaN in the dataset is refused, naming the tensors it reached', () => {
    const x = anomalySamples()[0].slice();
    x[3] = NaN;
    expect(() =>
      quantizeModel(loadRef('mlperf-tiny/ad01_fp32.tflite'), [[x]], { method: 'minmax' }),
    ).toThrow(
      expect.objectContaining({
        code: 'QUANT_RANGE_INVALID',
        message: expect.stringContaining('"input_1"'),
      }),
    );
  });

  test('an op without a quantizer is refused by name', () => {
    expect(() =>
      prepareFloatModel(loadRef('tflm/examples/mnist_lstm__trained_lstm.tflite')),
    ).not.toThrow();
    try {
      quantizeModel(
        loadRef('tflm/examples/mnist_lstm__trained_lstm.tflite'),
        [[new Float32Array(28 * 28)]],
        { method: 'minmax' },
      );
      throw new Error('expected a failure');
    } catch (err) {
      expect(err).toBeInstanceOf(TinyOpsError);
      expect((err as TinyOpsError).code).toBe('QUANT_UNSUPPORTED_OP');
      expect((err as TinyOpsError).message).toMatch(/UNIDIRECTIONAL_SEQUENCE_LSTM/);
    }
  });

  test('percentile and MSE calibration clip inside the min/max range; MSE lowers the round-trip error', () => {
    const model = prepareFloatModel(loadRef('mlperf-tiny/ad01_fp32.tflite')).model;
    const exec = new FloatExecutor(model);
    const samples = anomalySamples().map((s) => [s]);
    const minmax = calibrate(model, exec, samples, { method: 'minmax' });
    const pct = calibrate(model, exec, samples, { method: 'percentile', percentile: 99.9 });
    const mse = calibrate(model, exec, samples, { method: 'mse' });
    let narrower = 0;
    for (const [t, r] of minmax.ranges) {
      for (const other of [pct.ranges.get(t)!, mse.ranges.get(t)!]) {
        expect(other.min).toBeGreaterThanOrEqual(r.min);
        expect(other.max).toBeLessThanOrEqual(r.max);
        if (other.max < r.max) narrower++;
      }
    }
    expect(narrower).toBeGreaterThan(5);
    // Over the values the model computes, MSE's ranges never lose to min/max.
    const values = exec.run(samples[0]);
    for (const [t, r] of minmax.ranges) {
      const m = mse.ranges.get(t)!;
      const v = values[t]!;
      expect(roundTripError(v, asymmetricParams(m.min, m.max))).toBeLessThanOrEqual(
        roundTripError(v, asymmetricParams(r.min, r.max)) * 1.5,
      );
    }
  });
});
