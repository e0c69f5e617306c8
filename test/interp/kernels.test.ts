import { TinyOpsError } from '../../shared/errors';
import { Interpreter, interpreterSupport } from '../../shared/interp';
import { runOp, singleOpModel, type TensorSpec } from './single-op';

// Hand-computed cases for every kernel, run through the real interpreter on one-op models that
// went through the TFLite writer and reader. Expected values are worked out in the comments.

const i8 = (shape: number[], scale = 1, zp = 0, data?: number[]): TensorSpec => ({
  type: 'INT8',
  shape,
  quant: [scale, zp],
  data,
});
const f32 = (shape: number[], data?: number[]): TensorSpec => ({ type: 'FLOAT32', shape, data });
const i32 = (shape: number[], data: number[]): TensorSpec => ({ type: 'INT32', shape, data });
const conv = (fields: Record<string, string | number>) => ({ type: 'Conv2DOptions', fields });
const pool = (fields: Record<string, string | number>) => ({ type: 'Pool2DOptions', fields });

describe('CONV_2D', () => {
  test('int8 SAME 3x3 of ones over 1..9, output scale 2: window sums halved, ties up', () => {
    // Window sums 12 21 16 / 27 45 33 / 24 39 28, times 0.5: 1.5-ties of positive values round up.
    const out = runOp(
      {
        op: 'CONV_2D',
        version: 3,
        options: conv({ padding: 'SAME', stride_w: 1, stride_h: 1 }),
        inputs: [
          i8([1, 3, 3, 1]),
          { ...i8([1, 3, 3, 1], 1, 0, Array(9).fill(1)), quant: { scales: [1], axis: 0 } },
          i32([1], [0]),
        ],
        outputs: [i8([1, 3, 3, 1], 2, 0)],
      },
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    expect(out).toEqual([6, 11, 8, 14, 23, 17, 12, 20, 14]);
  });

  test('int8 dilation 2, VALID, input zero point, bias and RELU6 clamp', () => {
    // 5x5 input q = 0..24 with zero point 4: taps at rows/cols {0, 2, 4} sum to 108, minus 9 x 4 = 72;
    // + bias 3 = 75; output scale 1, zero point -100 -> -25; RELU6 clamps to [q(0), q(6)] = [-100, -94].
    const out = runOp(
      {
        op: 'CONV_2D',
        version: 3,
        options: conv({
          padding: 'VALID',
          stride_w: 1,
          stride_h: 1,
          dilation_w_factor: 2,
          dilation_h_factor: 2,
          fused_activation_function: 'RELU6',
        }),
        inputs: [i8([1, 5, 5, 1], 1, 4), i8([1, 3, 3, 1], 1, 0, Array(9).fill(1)), i32([1], [3])],
        outputs: [i8([1, 1, 1, 1], 1, -100)],
      },
      Array.from({ length: 25 }, (_, i) => i),
    );
    expect(out).toEqual([-94]);
  });

  test('int8 per-channel scales: channel 1 halved, -3.5 rounds to -3', () => {
    const out = runOp(
      {
        op: 'CONV_2D',
        version: 3,
        options: conv({ padding: 'VALID', stride_w: 1, stride_h: 1 }),
        inputs: [
          i8([1, 1, 2, 1]),
          { type: 'INT8', shape: [2, 1, 1, 1], quant: { scales: [1, 0.5], axis: 0 }, data: [1, 1] },
          null,
        ],
        outputs: [i8([1, 1, 2, 2])],
      },
      [10, -7],
    );
    expect(out).toEqual([10, 5, -7, -3]);
  });

  test('float32 stride 2 SAME: the extra padding goes after', () => {
    // 4x4 ones, 3x3 ones, out 2x2: windows hold 9, 6, 6, 4 values; + 0.5 bias.
    const out = runOp(
      {
        op: 'CONV_2D',
        options: conv({ padding: 'SAME', stride_w: 2, stride_h: 2 }),
        inputs: [f32([1, 4, 4, 1]), f32([1, 3, 3, 1], Array(9).fill(1)), f32([1], [0.5])],
        outputs: [f32([1, 2, 2, 1])],
      },
      Array(16).fill(1),
    );
    expect(out).toEqual([9.5, 6.5, 6.5, 4.5]);
  });
});

describe('DEPTHWISE_CONV_2D', () => {
  test('int8 depth multiplier 2 with bias', () => {
    // One 2x2 window of 1 2 3 4: channel 0 weights +1 (10), channel 1 weights -1 (-10); bias 1, 2.
    const out = runOp(
      {
        op: 'DEPTHWISE_CONV_2D',
        version: 3,
        options: {
          type: 'DepthwiseConv2DOptions',
          fields: { padding: 'VALID', stride_w: 1, stride_h: 1, depth_multiplier: 2 },
        },
        inputs: [
          i8([1, 2, 2, 1]),
          {
            type: 'INT8',
            shape: [1, 2, 2, 2],
            quant: { scales: [1, 1], axis: 3 },
            data: [1, -1, 1, -1, 1, -1, 1, -1],
          },
          i32([2], [1, 2]),
        ],
        outputs: [i8([1, 1, 1, 2])],
      },
      [1, 2, 3, 4],
    );
    expect(out).toEqual([11, -8]);
  });

  test('float32 SAME per channel', () => {
    // Two channels, 3x3 filter: channel 0 all 1, channel 1 only the centre tap = 2.
    const w = Array.from({ length: 18 }, (_, k) => (k % 2 === 0 ? 1 : k === 9 ? 2 : 0));
    const out = runOp(
      {
        op: 'DEPTHWISE_CONV_2D',
        options: {
          type: 'DepthwiseConv2DOptions',
          fields: { padding: 'SAME', stride_w: 1, stride_h: 1, depth_multiplier: 1 },
        },
        inputs: [f32([1, 2, 2, 2]), f32([1, 3, 3, 2], w), f32([2], [0, 0.25])],
        outputs: [f32([1, 2, 2, 2])],
      },
      [1, 10, 2, 20, 3, 30, 4, 40],
    );
    expect(out).toEqual([10, 20.25, 10, 40.25, 10, 60.25, 10, 80.25]);
  });
});

describe('FULLY_CONNECTED', () => {
  test('float32 with RELU', () => {
    // [1 2 3] . [1 0 -1] + 0.25 = -1.75 -> 0; [1 2 3] . [0.5 0.5 0.5] = 3.
    const out = runOp(
      {
        op: 'FULLY_CONNECTED',
        options: { type: 'FullyConnectedOptions', fields: { fused_activation_function: 'RELU' } },
        inputs: [f32([1, 3]), f32([2, 3], [1, 0, -1, 0.5, 0.5, 0.5]), f32([2], [0.25, 0])],
        outputs: [f32([1, 2])],
      },
      [1, 2, 3],
    );
    expect(out).toEqual([0, 3]);
  });

  test('int8 with input and weight zero points, two batches', () => {
    // (x - 1) . (w - (-2)) with x = [3 1], [0 5], w = [-1 0]: (2, 0).(1, 2) = 2; (-1, 4).(1, 2) = 7.
    const out = runOp(
      {
        op: 'FULLY_CONNECTED',
        version: 4,
        options: { type: 'FullyConnectedOptions', fields: {} },
        inputs: [i8([2, 2], 1, 1), i8([1, 2], 1, -2, [-1, 0]), null],
        outputs: [i8([2, 1])],
      },
      [3, 1, 0, 5],
    );
    expect(out).toEqual([2, 7]);
  });
});

describe('pooling', () => {
  test('int8 average: integer mean, halves away from zero', () => {
    // Windows [-1 -2] and [0 1]: -1.5 -> -2, 0.5 -> 1.
    const out = runOp(
      {
        op: 'AVERAGE_POOL_2D',
        version: 2,
        options: pool({
          padding: 'VALID',
          filter_width: 2,
          filter_height: 1,
          stride_w: 2,
          stride_h: 1,
        }),
        inputs: [i8([1, 1, 4, 1])],
        outputs: [i8([1, 1, 2, 1])],
      },
      [-1, -2, 0, 1],
    );
    expect(out).toEqual([-2, 1]);
  });

  test('int8 and float32 average with SAME padding count only the taps inside', () => {
    const spec = (t: (shape: number[]) => TensorSpec) => ({
      op: 'AVERAGE_POOL_2D',
      options: pool({
        padding: 'SAME',
        filter_width: 2,
        filter_height: 2,
        stride_w: 1,
        stride_h: 1,
      }),
      inputs: [t([1, 3, 3, 1])],
      outputs: [t([1, 3, 3, 1])],
    });
    const input = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(
      runOp(
        spec((s) => i8(s)),
        input,
      ),
    ).toEqual([3, 4, 5, 6, 7, 8, 8, 9, 9]);
    expect(
      runOp(
        spec((s) => f32(s)),
        input,
      ),
    ).toEqual([3, 4, 4.5, 6, 7, 7.5, 7.5, 8.5, 9]);
  });

  test('max pool int8 with a fused RELU, float32 without', () => {
    const spec = (t: (shape: number[]) => TensorSpec, act: string) => ({
      op: 'MAX_POOL_2D',
      options: pool({
        padding: 'VALID',
        filter_width: 2,
        filter_height: 2,
        stride_w: 2,
        stride_h: 2,
        fused_activation_function: act,
      }),
      inputs: [t([1, 2, 4, 1])],
      outputs: [t([1, 1, 2, 1])],
    });
    expect(
      runOp(
        spec((s) => i8(s), 'RELU'),
        [-5, -3, 1, 9, -7, -4, 2, -8],
      ),
    ).toEqual([0, 9]);
    expect(
      runOp(
        spec((s) => f32(s), 'NONE'),
        [-5, -3, 1, 9, -7, -4, 2, -8],
      ),
    ).toEqual([-3, 9]);
  });
});

describe('SOFTMAX', () => {
  test('int8: equal inputs share 1/256 units; a dominant input saturates', () => {
    const spec = (n: number, scale: number) => ({
      op: 'SOFTMAX',
      version: 2,
      options: { type: 'SoftmaxOptions', fields: { beta: 1 } },
      inputs: [i8([1, n], scale, 0)],
      outputs: [i8([1, n], 1 / 256, -128)],
    });
    expect(runOp(spec(2, 0.1), [5, 5])).toEqual([0, 0]); // 0.5 -> 128 - 128
    expect(runOp(spec(4, 0.1), [-7, -7, -7, -7])).toEqual([-64, -64, -64, -64]); // 0.25 -> 64 - 128
    expect(runOp(spec(2, 1), [127, -128])).toEqual([127, -128]); // exp(-255) is below diff_min
  });

  test('float32 matches exp / sum', () => {
    const out = runOp(
      {
        op: 'SOFTMAX',
        options: { type: 'SoftmaxOptions', fields: { beta: 1 } },
        inputs: [f32([1, 3])],
        outputs: [f32([1, 3])],
      },
      [1, 2, 3],
    );
    const e = [1, 2, 3].map((x) => Math.exp(x - 3));
    const s = e.reduce((a, b) => a + b);
    out.forEach((v, i) => expect(v).toBeCloseTo(e[i] / s, 6));
  });
});

describe('ADD and MUL', () => {
  test('int8 ADD: 20-bit left shift path rounds (a + b) / 2 away from zero', () => {
    const out = runOp(
      {
        op: 'ADD',
        version: 2,
        options: { type: 'AddOptions', fields: {} },
        inputs: [i8([4], 0.5), i8([4], 0.5)],
        outputs: [i8([4], 1)],
      },
      [1, 3, -3, 100],
      [2, 2, 0, 100],
    );
    expect(out).toEqual([2, 3, -2, 100]);
  });

  test('float32 ADD broadcasts a row over a matrix', () => {
    const out = runOp(
      {
        op: 'ADD',
        options: { type: 'AddOptions', fields: {} },
        inputs: [f32([2, 3]), f32([3])],
        outputs: [f32([2, 3])],
      },
      [1, 2, 3, 4, 5, 6],
      [10, 20, 30],
    );
    expect(out).toEqual([11, 22, 33, 14, 25, 36]);
  });

  test('int8 ADD broadcasts a per-channel vector and applies RELU', () => {
    // Same scales in and out: q = round((a + b) / 1) with RELU at q(0) = 0.
    const out = runOp(
      {
        op: 'ADD',
        version: 2,
        options: { type: 'AddOptions', fields: { fused_activation_function: 'RELU' } },
        inputs: [i8([1, 2, 2], 0.5), i8([2], 0.5)],
        outputs: [i8([1, 2, 2], 0.5)],
      },
      [1, -2, 3, -4],
      [10, 1],
    );
    expect(out).toEqual([11, 0, 13, 0]);
  });

  test('int8 MUL with a zero point: (a - 1) * b', () => {
    const out = runOp(
      {
        op: 'MUL',
        version: 2,
        options: { type: 'MulOptions', fields: {} },
        inputs: [i8([3], 0.5, 1), i8([3], 0.5)],
        outputs: [i8([3], 0.25)],
      },
      [3, -2, 12],
      [4, 5, 11],
    );
    expect(out).toEqual([8, -15, 121]);
  });

  test('float32 MUL broadcasts a scalar and applies RELU', () => {
    const out = runOp(
      {
        op: 'MUL',
        options: { type: 'MulOptions', fields: { fused_activation_function: 'RELU' } },
        inputs: [f32([1, 2, 2]), f32([1])],
        outputs: [f32([1, 2, 2])],
      },
      [1, -2, 3, -4],
      [-2],
    );
    expect(out).toEqual([0, 4, 0, 8]);
  });
});

describe('QUANTIZE and DEQUANTIZE', () => {
  test('float32 -> int8: round half away from zero, zero point, saturation', () => {
    // x / 0.5 = 2.5, -2.5, 0.6, 200, -200 -> 3, -3, 1, 200, -200; - 1; clamp.
    const out = runOp(
      { op: 'QUANTIZE', inputs: [f32([5])], outputs: [i8([5], 0.5, -1)] },
      [1.25, -1.25, 0.3, 100, -100],
    );
    expect(out).toEqual([2, -4, 0, 127, -128]);
  });

  test('int8 -> int8 requantization through the fixed-point multiplier', () => {
    // q * 0.5 + 5: 1.5 -> 2, -1.5 -> -1 (the high multiply rounds ties up), 50.
    const out = runOp(
      { op: 'QUANTIZE', version: 2, inputs: [i8([3], 1, 0)], outputs: [i8([3], 2, 5)] },
      [3, -3, 100],
    );
    expect(out).toEqual([7, 4, 55]);
  });

  test('int8 -> float32', () => {
    const out = runOp(
      { op: 'DEQUANTIZE', version: 2, inputs: [i8([3], 0.1, 3)], outputs: [f32([3])] },
      [3, 13, -128],
    );
    expect(out[0]).toBe(0);
    expect(out[1]).toBe(Math.fround(Math.fround(0.1) * 10));
    expect(out[2]).toBe(Math.fround(Math.fround(0.1) * -131));
  });
});

describe('shape ops', () => {
  test('RESHAPE keeps the bytes', () => {
    const out = runOp(
      { op: 'RESHAPE', inputs: [i8([1, 4]), i32([2], [2, 2])], outputs: [i8([2, 2])] },
      [1, -2, 3, -4],
    );
    expect(out).toEqual([1, -2, 3, -4]);
  });

  test('PAD int8 pads with the output zero point, float32 with 0 (int64 paddings)', () => {
    const pads = [0, 0, 1, 0, 0, 1, 0, 0];
    expect(
      runOp(
        {
          op: 'PAD',
          version: 2,
          inputs: [i8([1, 2, 2, 1], 1, -5), i32([4, 2], pads)],
          outputs: [i8([1, 3, 3, 1], 1, -5)],
        },
        [1, 2, 3, 4],
      ),
    ).toEqual([-5, -5, -5, 1, 2, -5, 3, 4, -5]);
    expect(
      runOp(
        {
          op: 'PAD',
          inputs: [f32([2, 2]), { type: 'INT64', shape: [2, 2], data: [1, 1, 0, 2] }],
          outputs: [f32([4, 4])],
        },
        [1, 2, 3, 4],
      ),
    ).toEqual([0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0]);
  });

  test('CONCATENATION along the last axis (negative axis)', () => {
    const out = runOp(
      {
        op: 'CONCATENATION',
        version: 2,
        options: { type: 'ConcatenationOptions', fields: { axis: -1 } },
        inputs: [i8([1, 2, 2]), i8([1, 2, 1])],
        outputs: [i8([1, 2, 3])],
      },
      [1, 2, 3, 4],
      [9, 8],
    );
    expect(out).toEqual([1, 2, 9, 3, 4, 8]);
  });
});

describe('MEAN', () => {
  test('int8 over H and W: 2.5 -> 3, -2.5 -> -3, and a rescale to 1.25 -> 1', () => {
    const spec = (outScale: number) => ({
      op: 'MEAN',
      version: 2,
      options: { type: 'ReducerOptions', fields: { keep_dims: true } },
      inputs: [i8([1, 2, 2, 1]), i32([2], [1, 2])],
      outputs: [i8([1, 1, 1, 1], outScale)],
    });
    expect(runOp(spec(1), [1, 2, 3, 4])).toEqual([3]);
    expect(runOp(spec(1), [-1, -2, -3, -4])).toEqual([-3]);
    expect(runOp(spec(2), [1, 2, 3, 4])).toEqual([1]);
  });

  test('float32 over one axis without keep_dims', () => {
    const out = runOp(
      {
        op: 'MEAN',
        options: { type: 'ReducerOptions', fields: { keep_dims: false } },
        inputs: [f32([2, 2]), i32([1], [1])],
        outputs: [f32([2])],
      },
      [1, 2, 3, 4],
    );
    expect(out).toEqual([1.5, 3.5]);
  });
});

describe('activations', () => {
  test('LOGISTIC int8: sigmoid(0) = 1/2, sigmoid(+-1), saturation beyond the radius', () => {
    // Input scale 1/16: q 16 is 1.0; sigmoid(1) * 256 = 187.16 -> 187 - 128 = 59. Radius 120.
    const out = runOp(
      {
        op: 'LOGISTIC',
        version: 2,
        inputs: [i8([6], 1 / 16, 0)],
        outputs: [i8([6], 1 / 256, -128)],
      },
      [0, 16, -16, 119, 127, -128],
    );
    expect(out).toEqual([0, 59, -59, 127, 127, -128]);
  });

  test('LOGISTIC float32 with the cut-offs', () => {
    const out = runOp({ op: 'LOGISTIC', inputs: [f32([4])], outputs: [f32([4])] }, [0, 1, -20, 20]);
    expect(out[0]).toBe(0.5);
    expect(out[1]).toBeCloseTo(1 / (1 + Math.exp(-1)), 7);
    expect(out[2]).toBe(Math.fround(Math.exp(-20)));
    expect(out[3]).toBe(1);
  });

  test('RELU int8 rescales to the output quantization', () => {
    // real = (q + 10) * 0.5 = -5, 0, 5, 10 -> q_out = real / 0.25 - 128, floored at -128.
    const out = runOp(
      { op: 'RELU', version: 2, inputs: [i8([4], 0.5, -10)], outputs: [i8([4], 0.25, -128)] },
      [-20, -10, 0, 10],
    );
    expect(out).toEqual([-128, -128, -108, -88]);
  });

  test('RELU6 int8 clamps to the input-quantized 0 and 6', () => {
    const out = runOp(
      { op: 'RELU6', version: 2, inputs: [i8([3], 0.1, 0)], outputs: [i8([3], 0.1, 0)] },
      [-5, 30, 70],
    );
    expect(out).toEqual([0, 30, 60]);
  });

  test('RELU and RELU6 float32', () => {
    expect(runOp({ op: 'RELU', inputs: [f32([3])], outputs: [f32([3])] }, [-1, 0.5, 7])).toEqual([
      0, 0.5, 7,
    ]);
    expect(runOp({ op: 'RELU6', inputs: [f32([3])], outputs: [f32([3])] }, [-1, 0.5, 7])).toEqual([
      0, 0.5, 6,
    ]);
  });
});

describe('refusals and input checks', () => {
  const refusal = (f: () => unknown): TinyOpsError => {
    try {
      f();
    } catch (err) {
      expect(err).toBeInstanceOf(TinyOpsError);
      return err as TinyOpsError;
    }
    throw new Error('expected a refusal');
  };

  test('an op version newer than the kernel is refused with op, version and node', () => {
    const model = singleOpModel({
      op: 'MUL',
      version: 9,
      options: { type: 'MulOptions', fields: {} },
      inputs: [i8([2]), i8([2])],
      outputs: [i8([2])],
    });
    const err = refusal(() => new Interpreter(model, { source: 'mul.tflite' }));
    expect(err.code).toBe('INTERP_UNSUPPORTED_OP');
    expect(err.message).toContain('Node 0 (MUL version 9)');
    expect(err.where).toBe('mul.tflite: operator 0');
  });

  test('a hybrid layer (float activations, int8 weights) is refused before running', () => {
    const model = singleOpModel({
      op: 'FULLY_CONNECTED',
      version: 3,
      inputs: [f32([1, 2]), i8([1, 2], 0.1, 0, [1, 2]), null],
      outputs: [f32([1, 1])],
    });
    expect(refusal(() => new Interpreter(model)).message).toMatch(
      /FULLY_CONNECTED version 3.*INT8 with FLOAT32 activations/,
    );
  });

  test('a TANH fused activation and a wrong softmax output scale are refused', () => {
    const tanh = singleOpModel({
      op: 'ADD',
      options: { type: 'AddOptions', fields: { fused_activation_function: 'TANH' } },
      inputs: [f32([1]), f32([1])],
      outputs: [f32([1])],
    });
    expect(refusal(() => new Interpreter(tanh)).message).toContain('fused activation TANH');
    const softmax = singleOpModel({
      op: 'SOFTMAX',
      version: 2,
      inputs: [i8([1, 2], 0.1)],
      outputs: [i8([1, 2], 0.1, 0)],
    });
    expect(refusal(() => new Interpreter(softmax)).message).toContain('scale 1/256');
  });

  test('inputs of the wrong size or count name the expected shape and type', () => {
    const interp = new Interpreter(
      singleOpModel({ op: 'RELU', inputs: [f32([1, 3])], outputs: [f32([1, 3])] }),
    );
    const size = refusal(() => interp.invoke([new Uint8Array(8)]));
    expect(size.code).toBe('INTERP_INPUT_SIZE');
    expect(size.message).toContain('takes 12 bytes (FLOAT32 [1, 3]); got 8 bytes');
    expect(refusal(() => interp.invoke([])).code).toBe('INTERP_INPUT_COUNT');
    expect(refusal(() => interp.invokeTyped([new Int8Array(12)])).code).toBe('INTERP_INPUT_TYPE');
    expect(Array.from(interp.invokeTyped([Float32Array.of(-1, 2, -3)])[0])).toEqual([0, 2, 0]);
  });
});

test('interpreterSupport lists the 17 ops with their types and versions', () => {
  const support = interpreterSupport();
  expect(Object.keys(support).sort()).toEqual(
    [
      'ADD',
      'AVERAGE_POOL_2D',
      'CONCATENATION',
      'CONV_2D',
      'DEPTHWISE_CONV_2D',
      'DEQUANTIZE',
      'FULLY_CONNECTED',
      'LOGISTIC',
      'MAX_POOL_2D',
      'MEAN',
      'MUL',
      'PAD',
      'QUANTIZE',
      'RELU',
      'RELU6',
      'RESHAPE',
      'SOFTMAX',
    ].sort(),
  );
  expect(support.CONV_2D).toEqual({ types: ['INT8', 'FLOAT32'], maxVersion: 3 });
  expect(support.DEQUANTIZE.types).toEqual(['INT8']);
});
