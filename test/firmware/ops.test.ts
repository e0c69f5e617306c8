import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildHostRunner, haveTool } from './helpers';

/** The runtime's operators that no golden model uses (MEAN, LOGISTIC, MUL, broadcast ADD,
 * MAX_POOL_2D, PAD, CONCATENATION, RELU, RELU6, QUANTIZE int8->int8, DEQUANTIZE), each in a
 * one-op model written with flatc from the TFLite schema, checked against float math: exact
 * where the op only moves or compares values, within one quantization step where it rescales
 * (these have no TFLite Micro golden vectors here, so bit-exactness is not claimed). */

const SCHEMA = path.resolve(__dirname, '../../../shared/spec/tflite_schema.fbs');
const CAN_RUN = haveTool('gcc') && haveTool('flatc') && fs.existsSync(SCHEMA);
if (!CAN_RUN) console.warn('gcc, flatc or the TFLite schema missing: runtime op tests skipped');
const describeOps = CAN_RUN ? describe : describe.skip;

interface TensorSpec {
  shape: number[];
  type?: 'INT8' | 'INT32' | 'FLOAT32';
  scale?: number;
  zp?: number;
  data?: Buffer; // constant
}

interface OpSpec {
  code: number;
  name: string;
  tensors: TensorSpec[];
  opInputs: number[];
  opOutputs: number[];
  options?: { type: string; value: Record<string, unknown> };
}

/** Deterministic int8 values. */
function int8s(n: number, seed: number): Int8Array {
  const out = new Int8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 24) - 128;
  }
  return out;
}

const clamp8 = (v: number) => Math.max(-128, Math.min(127, v));
const q8 = (v: number, s: number, z: number) => clamp8(Math.round(v / s) + z);
const i32 = (values: number[]) => Buffer.from(new Int32Array(values).buffer);

describeOps('runtime operators without golden vectors, against float math', () => {
  let build: { dir: string; exe: string };
  let schema: string;
  beforeAll(() => {
    build = buildHostRunner('tor-ops-');
    // flatc 2.0 does not accept `(deprecated)` on enum and union values: strip those only.
    schema = path.join(build.dir, 'schema.fbs');
    fs.writeFileSync(
      schema,
      fs
        .readFileSync(SCHEMA, 'utf8')
        .replace(/(= \d+) \(deprecated\)/g, '$1')
        .replace(/^(\s+\w+Options) \(deprecated\),/gm, '$1,')
        .replace(/^table (\w+) \(deprecated\)/gm, 'table $1'),
    );
  });
  afterAll(() => {
    if (build) fs.rmSync(build.dir, { recursive: true, force: true });
  });

  let counter = 0;
  /** Writes the one-op model with flatc, runs it on `inputs`, returns output 0's bytes. */
  function runOp(spec: OpSpec, inputs: Buffer[]): Buffer {
    const id = `m${counter++}`;
    const buffers: object[] = [{}];
    const tensors = spec.tensors.map((t, i) => {
      buffers.push(t.data ? { data: [...t.data] } : {});
      return {
        shape: t.shape,
        type: t.type ?? 'INT8',
        buffer: buffers.length - 1,
        name: `t${i}`,
        ...(t.scale !== undefined
          ? { quantization: { scale: [t.scale], zero_point: [t.zp ?? 0] } }
          : {}),
      };
    });
    const graphInputs = spec.opInputs.filter((i) => !spec.tensors[i].data);
    const json = {
      version: 3,
      operator_codes: [
        { deprecated_builtin_code: Math.min(spec.code, 127), builtin_code: spec.name, version: 1 },
      ],
      subgraphs: [
        {
          tensors,
          inputs: graphInputs,
          outputs: spec.opOutputs,
          operators: [
            {
              opcode_index: 0,
              inputs: spec.opInputs,
              outputs: spec.opOutputs,
              ...(spec.options
                ? { builtin_options_type: spec.options.type, builtin_options: spec.options.value }
                : {}),
            },
          ],
        },
      ],
      buffers,
    };
    const jsonPath = path.join(build.dir, `${id}.json`);
    fs.writeFileSync(jsonPath, JSON.stringify(json));
    execFileSync('flatc', ['-b', '-o', build.dir, schema, jsonPath], { stdio: 'pipe' });
    const files = inputs.map((b, i) => {
      const f = path.join(build.dir, `${id}-in${i}.bin`);
      fs.writeFileSync(f, b);
      return f;
    });
    const out = path.join(build.dir, `${id}-out.bin`);
    const r = spawnSync(build.exe, ['run', path.join(build.dir, `${id}.tflite`), out, ...files], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`${spec.name}: ${r.stdout}${r.stderr}`);
    return fs.readFileSync(out);
  }

  const asInt8 = (b: Buffer) => [...new Int8Array(b.buffer, b.byteOffset, b.length)];
  const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

  test('LOGISTIC: every int8 input within one step of the float sigmoid', () => {
    const x = Int8Array.from({ length: 256 }, (_, i) => i - 128);
    const got = asInt8(
      runOp(
        {
          code: 14,
          name: 'LOGISTIC',
          tensors: [
            { shape: [1, 256], scale: 0.05, zp: 3 },
            { shape: [1, 256], scale: 1 / 256, zp: -128 },
          ],
          opInputs: [0],
          opOutputs: [1],
        },
        [Buffer.from(x.buffer)],
      ),
    );
    const want = [...x].map((v) => q8(1 / (1 + Math.exp(-(v - 3) * 0.05)), 1 / 256, -128));
    expect(maxDiff(got, want)).toBeLessThanOrEqual(1);
  });

  test('MEAN over H and W: within one step of the float mean', () => {
    const x = int8s(4 * 5 * 8, 1);
    const got = asInt8(
      runOp(
        {
          code: 40,
          name: 'MEAN',
          tensors: [
            { shape: [1, 4, 5, 8], scale: 0.1, zp: -5 },
            { shape: [2], type: 'INT32', data: i32([1, 2]) },
            { shape: [1, 1, 1, 8], scale: 0.07, zp: 2 },
          ],
          opInputs: [0, 1],
          opOutputs: [2],
          options: { type: 'ReducerOptions', value: { keep_dims: true } },
        },
        [Buffer.from(x.buffer)],
      ),
    );
    const want = Array.from({ length: 8 }, (_, c) => {
      let sum = 0;
      for (let i = 0; i < 20; i++) sum += (x[i * 8 + c] + 5) * 0.1;
      return q8(sum / 20, 0.07, 2);
    });
    expect(maxDiff(got, want)).toBeLessThanOrEqual(1);
  });

  test('ADD with broadcasting and a fused RELU: within one step', () => {
    const a = int8s(24, 2);
    const b = int8s(4, 3);
    const got = asInt8(
      runOp(
        {
          code: 0,
          name: 'ADD',
          tensors: [
            { shape: [1, 2, 3, 4], scale: 0.02, zp: 1 },
            { shape: [1, 1, 1, 4], scale: 0.05, zp: -3 },
            { shape: [1, 2, 3, 4], scale: 0.04, zp: -10 },
          ],
          opInputs: [0, 1],
          opOutputs: [2],
          options: { type: 'AddOptions', value: { fused_activation_function: 'RELU' } },
        },
        [Buffer.from(a.buffer), Buffer.from(b.buffer)],
      ),
    );
    const want = [...a].map((v, i) =>
      Math.max(-10, q8((v - 1) * 0.02 + (b[i % 4] + 3) * 0.05, 0.04, -10)),
    );
    expect(maxDiff(got, want)).toBeLessThanOrEqual(1);
  });

  test('MUL with broadcasting: within one step', () => {
    const a = int8s(24, 4);
    const b = int8s(4, 5);
    const got = asInt8(
      runOp(
        {
          code: 18,
          name: 'MUL',
          tensors: [
            { shape: [1, 2, 3, 4], scale: 0.03, zp: 4 },
            { shape: [4], scale: 0.02, zp: 0 },
            { shape: [1, 2, 3, 4], scale: 0.01, zp: 7 },
          ],
          opInputs: [0, 1],
          opOutputs: [2],
          options: { type: 'MulOptions', value: { fused_activation_function: 'NONE' } },
        },
        [Buffer.from(a.buffer), Buffer.from(b.buffer)],
      ),
    );
    const want = [...a].map((v, i) => q8((v - 4) * 0.03 * (b[i % 4] * 0.02), 0.01, 7));
    expect(maxDiff(got, want)).toBeLessThanOrEqual(1);
  });

  test('MAX_POOL_2D 2x2 stride 2: exact', () => {
    const x = int8s(4 * 6 * 3, 6);
    const got = asInt8(
      runOp(
        {
          code: 17,
          name: 'MAX_POOL_2D',
          tensors: [
            { shape: [1, 4, 6, 3], scale: 0.1, zp: 0 },
            { shape: [1, 2, 3, 3], scale: 0.1, zp: 0 },
          ],
          opInputs: [0],
          opOutputs: [1],
          options: {
            type: 'Pool2DOptions',
            value: {
              padding: 'VALID',
              stride_w: 2,
              stride_h: 2,
              filter_width: 2,
              filter_height: 2,
            },
          },
        },
        [Buffer.from(x.buffer)],
      ),
    );
    const want: number[] = [];
    for (let oy = 0; oy < 2; oy++)
      for (let ox = 0; ox < 3; ox++)
        for (let c = 0; c < 3; c++) {
          let m = -128;
          for (let dy = 0; dy < 2; dy++)
            for (let dx = 0; dx < 2; dx++)
              m = Math.max(m, x[((oy * 2 + dy) * 6 + ox * 2 + dx) * 3 + c]);
          want.push(m);
        }
    expect(got).toEqual(want);
  });

  test('PAD: exact, padded with the zero point', () => {
    const x = int8s(12, 7);
    const got = asInt8(
      runOp(
        {
          code: 34,
          name: 'PAD',
          tensors: [
            { shape: [1, 2, 3, 2], scale: 0.1, zp: -7 },
            { shape: [4, 2], type: 'INT32', data: i32([0, 0, 1, 2, 0, 1, 0, 0]) },
            { shape: [1, 5, 4, 2], scale: 0.1, zp: -7 },
          ],
          opInputs: [0, 1],
          opOutputs: [2],
        },
        [Buffer.from(x.buffer)],
      ),
    );
    const want: number[] = [];
    for (let y = 0; y < 5; y++)
      for (let xx = 0; xx < 4; xx++)
        for (let c = 0; c < 2; c++) {
          const iy = y - 1;
          want.push(iy >= 0 && iy < 2 && xx < 3 ? x[(iy * 3 + xx) * 2 + c] : -7);
        }
    expect(got).toEqual(want);
  });

  test('CONCATENATION on the channel axis: exact', () => {
    const a = int8s(12, 8);
    const b = int8s(8, 9);
    const got = asInt8(
      runOp(
        {
          code: 2,
          name: 'CONCATENATION',
          tensors: [
            { shape: [1, 2, 2, 3], scale: 0.1, zp: 1 },
            { shape: [1, 2, 2, 2], scale: 0.1, zp: 1 },
            { shape: [1, 2, 2, 5], scale: 0.1, zp: 1 },
          ],
          opInputs: [0, 1],
          opOutputs: [2],
          options: { type: 'ConcatenationOptions', value: { axis: -1 } },
        },
        [Buffer.from(a.buffer), Buffer.from(b.buffer)],
      ),
    );
    const want: number[] = [];
    for (let p = 0; p < 4; p++)
      want.push(...a.slice(p * 3, p * 3 + 3), ...b.slice(p * 2, p * 2 + 2));
    expect(got).toEqual(want);
  });

  test('RELU6 (exact clamp) and RELU with rescaling (within one step)', () => {
    const x = Int8Array.from({ length: 256 }, (_, i) => i - 128);
    const relu6 = asInt8(
      runOp(
        {
          code: 21,
          name: 'RELU6',
          tensors: [
            { shape: [256], scale: 0.05, zp: -20 },
            { shape: [256], scale: 0.05, zp: -20 },
          ],
          opInputs: [0],
          opOutputs: [1],
        },
        [Buffer.from(x.buffer)],
      ),
    );
    expect(relu6).toEqual([...x].map((v) => Math.min(Math.max(v, -20), -20 + 120)));
    const relu = asInt8(
      runOp(
        {
          code: 19,
          name: 'RELU',
          tensors: [
            { shape: [256], scale: 0.05, zp: 10 },
            { shape: [256], scale: 0.03, zp: -128 },
          ],
          opInputs: [0],
          opOutputs: [1],
        },
        [Buffer.from(x.buffer)],
      ),
    );
    expect(
      maxDiff(
        relu,
        [...x].map((v) => q8(Math.max(0, (v - 10) * 0.05), 0.03, -128)),
      ),
    ).toBeLessThanOrEqual(1);
  });

  test('QUANTIZE int8 -> int8 (within one step) and DEQUANTIZE (float exact)', () => {
    const x = Int8Array.from({ length: 256 }, (_, i) => i - 128);
    const requant = asInt8(
      runOp(
        {
          code: 114,
          name: 'QUANTIZE',
          tensors: [
            { shape: [256], scale: 0.02, zp: 5 },
            { shape: [256], scale: 0.03, zp: -9 },
          ],
          opInputs: [0],
          opOutputs: [1],
        },
        [Buffer.from(x.buffer)],
      ),
    );
    expect(
      maxDiff(
        requant,
        [...x].map((v) => q8((v - 5) * 0.02, 0.03, -9)),
      ),
    ).toBeLessThanOrEqual(1);
    const deq = runOp(
      {
        code: 6,
        name: 'DEQUANTIZE',
        tensors: [
          { shape: [256], scale: 0.02, zp: 5 },
          { shape: [256], type: 'FLOAT32' },
        ],
        opInputs: [0],
        opOutputs: [1],
      },
      [Buffer.from(x.buffer)],
    );
    const floats = [...new Float32Array(deq.buffer, deq.byteOffset, 256)];
    expect(floats).toEqual([...x].map((v) => Math.fround(Math.fround(0.02) * (v - 5))));
  });
});
