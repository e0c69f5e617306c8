import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeModel } from '../../shared/tflite';
import { readNpyFile, writeNpyFile } from '../../shared/data';
import { mulberry32, seededBytes } from '../../shared/util/prng';
import { singleOpModel, type OpSpec } from '../interp/single-op';
import { buildHarnessFirmware, HAVE_FIRMWARE_TOOLS, runOnQemu } from './firmware';

/** The firmware's Cortex-M4 DSP kernels (im2col conv with two pixels by two filters, depthwise
 * four channels at a time, FC two units at a time) against the host interpreter, bit for bit,
 * on the shapes their fast paths special-case: channel counts that are not multiples of four,
 * odd filter counts, strides, dilation, padding, a depth multiplier, receptive fields too big
 * for two columns or for one. Each case is a one-op model built into the harness firmware and
 * run on QEMU; the interpreter itself is held to TFLite Micro's golden outputs elsewhere. */

const describeDevice = HAVE_FIRMWARE_TOOLS ? describe : describe.skip;

let work = '';
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-kernels-'));
});
afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function weights(n: number, seed: number): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => Math.floor(r() * 255) - 127);
}
const scales = (n: number, seed: number) => {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => 0.002 + r() * 0.01);
};

interface ConvCase {
  name: string;
  op: 'CONV_2D' | 'DEPTHWISE_CONV_2D';
  h: number;
  w: number;
  c: number;
  /** Output channels (conv) or depth multiplier (depthwise). */
  k: number;
  f: [number, number];
  stride?: number;
  dilation?: number;
  padding: 'SAME' | 'VALID';
  relu6?: boolean;
}

function outSize(n: number, f: number, s: number, d: number, padding: string): number {
  const eff = (f - 1) * d + 1;
  return padding === 'SAME' ? Math.ceil(n / s) : Math.floor((n - eff) / s) + 1;
}

function convSpec(k: ConvCase): OpSpec {
  const s = k.stride ?? 1;
  const d = k.dilation ?? 1;
  const oh = outSize(k.h, k.f[0], s, d, k.padding);
  const ow = outSize(k.w, k.f[1], s, d, k.padding);
  const depthwise = k.op === 'DEPTHWISE_CONV_2D';
  const oc = depthwise ? k.c * k.k : k.k;
  const wShape = depthwise ? [1, k.f[0], k.f[1], oc] : [oc, k.f[0], k.f[1], k.c];
  const inScale = 0.05;
  const wScales = scales(oc, 3);
  const fields: Record<string, string | number> = {
    padding: k.padding,
    stride_w: s,
    stride_h: s,
    dilation_w_factor: d,
    dilation_h_factor: d,
    fused_activation_function: k.relu6 ? 'RELU6' : 'NONE',
  };
  if (depthwise) fields.depth_multiplier = k.k;
  return {
    op: k.op,
    options: { type: depthwise ? 'DepthwiseConv2DOptions' : 'Conv2DOptions', fields },
    inputs: [
      { type: 'INT8', shape: [1, k.h, k.w, k.c], quant: [inScale, -3] },
      {
        type: 'INT8',
        shape: wShape,
        quant: { scales: wScales, axis: depthwise ? 3 : 0 },
        data: weights(
          wShape.reduce((a, b) => a * b, 1),
          5,
        ),
      },
      {
        type: 'INT32',
        shape: [oc],
        quant: { scales: wScales.map((x) => x * inScale), axis: 0 },
        data: weights(oc, 7).map((v) => v * 40),
      },
    ],
    outputs: [
      { type: 'INT8', shape: [1, oh, ow, oc], quant: [0.08 + 0.02 * (k.f[0] * k.f[1]), 5] },
    ],
  };
}

const CASES: ConvCase[] = [
  {
    name: 'conv 3x3, 3 channels in (a tail), 5 filters (odd), stride 2, SAME',
    op: 'CONV_2D',
    h: 9,
    w: 7,
    c: 3,
    k: 5,
    f: [3, 3],
    stride: 2,
    padding: 'SAME',
  },
  {
    name: 'conv 1x1, 20 channels, 7 pixels (odd), RELU6',
    op: 'CONV_2D',
    h: 1,
    w: 7,
    c: 20,
    k: 6,
    f: [1, 1],
    padding: 'VALID',
    relu6: true,
  },
  {
    name: 'conv 3x3 dilation 2, 6 channels',
    op: 'CONV_2D',
    h: 8,
    w: 8,
    c: 6,
    k: 4,
    f: [3, 3],
    dilation: 2,
    padding: 'SAME',
  },
  {
    name: 'conv 3x3 over 64 channels (a 576-element field: one pixel per pass)',
    op: 'CONV_2D',
    h: 5,
    w: 4,
    c: 64,
    k: 3,
    f: [3, 3],
    padding: 'SAME',
  },
  {
    name: 'conv 5x5 over 48 channels (a 1200-element field: the portable path)',
    op: 'CONV_2D',
    h: 6,
    w: 6,
    c: 48,
    k: 2,
    f: [5, 5],
    padding: 'VALID',
  },
  {
    name: 'depthwise 3x3, 12 channels, stride 2, SAME',
    op: 'DEPTHWISE_CONV_2D',
    h: 9,
    w: 9,
    c: 12,
    k: 1,
    f: [3, 3],
    stride: 2,
    padding: 'SAME',
  },
  {
    name: 'depthwise 5x3, 8 channels, VALID, RELU6',
    op: 'DEPTHWISE_CONV_2D',
    h: 7,
    w: 6,
    c: 8,
    k: 1,
    f: [5, 3],
    padding: 'VALID',
    relu6: true,
  },
  {
    name: 'depthwise 3x3, 6 channels (not a multiple of four)',
    op: 'DEPTHWISE_CONV_2D',
    h: 5,
    w: 5,
    c: 6,
    k: 1,
    f: [3, 3],
    padding: 'SAME',
  },
  {
    name: 'depthwise multiplier 2, dilation 2',
    op: 'DEPTHWISE_CONV_2D',
    h: 7,
    w: 7,
    c: 4,
    k: 2,
    f: [3, 3],
    dilation: 2,
    padding: 'SAME',
  },
];

/** Outputs that use the int8 range, so agreement is not two saturated tensors agreeing. */
function expectSpread(file: string) {
  const values = Array.from(readNpyFile(file).data);
  const inside = values.filter((v) => v > -128 && v < 127);
  expect(new Set(values).size).toBeGreaterThan(8);
  expect(inside.length).toBeGreaterThan(values.length / 2);
}

/** Runs the samples through the firmware on QEMU: every output equal to the host's, and
 * spread over the int8 range. */
async function expectExactOnQemu(elf: string, model: string, dataset: string, samples: number) {
  const outputs = path.join(work, 'outputs.npy');
  const report = await runOnQemu(elf, model, dataset, {
    outputsPath: outputs,
  });
  expect(report.agreement.mismatches).toEqual([]);
  expect(report.agreement.exact).toBe(samples);
  expectSpread(outputs);
}

describeDevice('DSP kernels on QEMU equal the host interpreter', () => {
  test.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, k) => {
    const model = path.join(work, 'op.tflite');
    fs.writeFileSync(model, writeModel(singleOpModel(convSpec(k))));
    const elf = await buildHarnessFirmware(work, 'op', model);
    const size = k.h * k.w * k.c;
    const dataset = path.join(work, 'op.npy');
    writeNpyFile(dataset, {
      dtype: 'int8',
      shape: [4, k.h, k.w, k.c],
      data: new Int8Array(seededBytes(11, 4 * size).buffer),
    });
    await expectExactOnQemu(elf, model, dataset, 4);
  });

  // An odd unit count and a depth that is not a multiple of four; int8 weights are symmetric
  // (zero point 0), and a nonzero weight zero point, which older models carry, takes the
  // portable path.
  test.each([
    ['symmetric weights', 0],
    ['asymmetric weights (weight zero point 3)', 3],
  ])('fully connected, 7 units of depth 37, %s', async (_label, weightZeroPoint) => {
    const units = 7;
    const depth = 37;
    const spec: OpSpec = {
      op: 'FULLY_CONNECTED',
      inputs: [
        { type: 'INT8', shape: [1, depth], quant: [0.04, 2] },
        {
          type: 'INT8',
          shape: [units, depth],
          quant: [0.01, weightZeroPoint as number],
          data: weights(units * depth, 9),
        },
        {
          type: 'INT32',
          shape: [units],
          quant: [0.0004, 0],
          data: weights(units, 13).map((v) => v * 30),
        },
      ],
      outputs: [{ type: 'INT8', shape: [1, units], quant: [0.2, -4] }],
    };
    const model = path.join(work, 'fc.tflite');
    fs.writeFileSync(model, writeModel(singleOpModel(spec)));
    const elf = await buildHarnessFirmware(work, 'fc', model);
    const dataset = path.join(work, 'fc.npy');
    writeNpyFile(dataset, {
      dtype: 'int8',
      shape: [6, depth],
      data: new Int8Array(seededBytes(17, 6 * depth).buffer),
    });
    await expectExactOnQemu(elf, model, dataset, 6);
  });
});
