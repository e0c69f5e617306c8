import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { TinyOpsError } from '../../shared/errors';
import { Interpreter } from '../../shared/interp';
import { loadModelFile } from '../../shared/tflite';
import { runCli } from '../helpers/cli';
import { describeWithReference, goldenCases, referencePath } from '../helpers/reference';

// Every golden model from TensorFlow Lite Micro's reference kernels: int8 outputs must be equal
// byte for byte, float32 outputs within 1e-5 relative.

const cases = goldenCases();

/** Largest relative difference of two float32 buffers (exact zeros count as equal). */
function maxRelativeError(got: Uint8Array, want: Uint8Array): number {
  const a = new Float32Array(got.buffer.slice(got.byteOffset, got.byteOffset + got.length));
  const b = new Float32Array(want.buffer.slice(want.byteOffset, want.byteOffset + want.length));
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const diff = Math.abs(a[i] - b[i]);
    if (diff === 0) continue;
    worst = Math.max(worst, diff / Math.max(Math.abs(b[i]), 1e-30));
  }
  return worst;
}

function expectMatchesGolden(type: string, got: Uint8Array, want: Uint8Array): void {
  if (type === 'FLOAT32') expect(maxRelativeError(got, want)).toBeLessThanOrEqual(1e-5);
  else expect(Buffer.from(got).equals(want)).toBe(true);
}

/** A minimal .npy (version 1.0) writer for the tests. */
function npy(dtype: string, shape: number[], data: Uint8Array): Buffer {
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data)]);
}

describeWithReference('interpreter on the TFLite Micro golden vectors', () => {
  test('there are 15 golden models', () => {
    expect(cases.length).toBe(15);
  });

  test.each(cases.map((c) => [c.name, c] as const))(
    '%s: library output equals TFLite Micro',
    (_name, c) => {
      const { model } = loadModelFile(c.modelPath);
      const interp = new Interpreter(model, { source: c.modelPath });
      c.inputs.forEach((inputs, k) => {
        const out = interp.invoke(inputs.map((b) => new Uint8Array(b)))[0];
        expectMatchesGolden(interp.outputs[0].type, out, c.outputs[k]);
      });
    },
  );

  describe('tinyops run (in-process)', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-run-'));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test.each(cases.map((c) => [c.name, c] as const))(
      '%s: --output file equals TFLite Micro',
      async (name, c) => {
        const k = 1;
        const inputFiles = c.inputs[k].map((b, i) => {
          const file = path.join(dir, `${name}-in${i}.bin`);
          fs.writeFileSync(file, b);
          return file;
        });
        const outFile = path.join(dir, `${name}.out`);
        const res = await runCli([
          'run',
          c.modelPath,
          ...inputFiles.flatMap((f) => ['--input', f]),
          '--output',
          outFile,
        ]);
        expect(res.stderr).toBe('');
        expect(res.code).toBe(0);
        const { model } = loadModelFile(c.modelPath);
        const type = model.subgraphs[0].tensors[model.subgraphs[0].outputs[0]].type;
        expectMatchesGolden(type, new Uint8Array(fs.readFileSync(outFile)), c.outputs[k]);
      },
    );

    test('--json prints the values, shape and type of output 0', async () => {
      const c = cases.find((x) => x.name === 'kws01_ref_int8')!;
      const file = path.join(dir, 'kws.bin');
      fs.writeFileSync(file, c.inputs[0][0]);
      const res = await runCli(['run', c.modelPath, '--input', file, '--json']);
      expect(res.code).toBe(0);
      const doc = JSON.parse(res.stdout);
      expect(doc.shape).toEqual([1, 12]);
      expect(doc.type).toBe('INT8');
      expect(doc.output).toEqual(
        Array.from(new Int8Array(c.outputs[0].buffer, c.outputs[0].byteOffset, 12)),
      );
      expect(doc.quantization).toEqual({ scale: 1 / 256, zeroPoint: -128 });
    });

    test('.npy inputs: int8 as is, float64 into a float32 model, floats quantized for an int8 input', async () => {
      const kws = cases.find((x) => x.name === 'kws01_ref_int8')!;
      const kwsNpy = path.join(dir, 'kws.npy');
      fs.writeFileSync(kwsNpy, npy('|i1', [49, 10], kws.inputs[0][0]));
      const out1 = path.join(dir, 'kws.out');
      expect((await runCli(['run', kws.modelPath, '--input', kwsNpy, '--output', out1])).code).toBe(
        0,
      );
      expect(fs.readFileSync(out1).equals(kws.outputs[0])).toBe(true);

      const hello = cases.find((x) => x.name === 'hello_world_float')!;
      const x = new Float32Array(
        hello.inputs[2][0].buffer.slice(
          hello.inputs[2][0].byteOffset,
          hello.inputs[2][0].byteOffset + 4,
        ),
      )[0];
      const helloNpy = path.join(dir, 'hello.npy');
      fs.writeFileSync(helloNpy, npy('<f8', [1, 1], new Uint8Array(Float64Array.of(x).buffer)));
      const out2 = path.join(dir, 'hello.out');
      expect(
        (await runCli(['run', hello.modelPath, '--input', helloNpy, '--output', out2])).code,
      ).toBe(0);
      expectMatchesGolden('FLOAT32', new Uint8Array(fs.readFileSync(out2)), hello.outputs[2]);

      // hello_world_int8 takes int8: a float .npy is quantized with the input's scale and zero point.
      const helloInt8 = cases.find((c) => c.name === 'hello_world_int8')!;
      const { model } = loadModelFile(helloInt8.modelPath);
      const sg = model.subgraphs[0];
      const q = sg.tensors[sg.inputs[0]].quantization!;
      const raw = new Int8Array(
        helloInt8.inputs[0][0].buffer,
        helloInt8.inputs[0][0].byteOffset,
        1,
      )[0];
      const real = (raw - q.zeroPoint[0]) * q.scale[0];
      const floatNpy = path.join(dir, 'hello-int8.npy');
      fs.writeFileSync(floatNpy, npy('<f4', [1], new Uint8Array(Float32Array.of(real).buffer)));
      const out3 = path.join(dir, 'hello-int8.out');
      expect(
        (await runCli(['run', helloInt8.modelPath, '--input', floatNpy, '--output', out3])).code,
      ).toBe(0);
      expect(fs.readFileSync(out3).equals(helloInt8.outputs[0])).toBe(true);
    });

    test('bad inputs: wrong size, wrong .npy shape, wrong count, missing --input', async () => {
      const kws = cases.find((x) => x.name === 'kws01_ref_int8')!;
      const short = path.join(dir, 'short.bin');
      fs.writeFileSync(short, Buffer.alloc(100));
      const r1 = await runCli(['run', kws.modelPath, '--input', short]);
      expect(r1.code).toBe(1);
      expect(r1.stderr).toContain('INT8 [1, 49, 10, 1]');
      expect(r1.stderr).toContain('490 bytes');
      const badNpy = path.join(dir, 'bad.npy');
      fs.writeFileSync(badNpy, npy('<f4', [3], new Uint8Array(12)));
      const r2 = await runCli(['run', kws.modelPath, '--input', badNpy]);
      expect(r2.code).toBe(1);
      expect(r2.stderr).toContain('shape (3) = 3 values');
      const r3 = await runCli(['run', kws.modelPath, '--input', short, '--input', short]);
      expect(r3.code).toBe(2);
      expect(r3.stderr).toContain('takes 1 input');
      const r4 = await runCli(['run', kws.modelPath]);
      expect(r4.code).toBe(2);
      const notNpy = path.join(dir, 'not.npy');
      fs.writeFileSync(notNpy, 'hello');
      const r5 = await runCli(['run', kws.modelPath, '--input', notNpy, '--json']);
      expect(r5.code).toBe(1);
      expect(JSON.parse(r5.stdout).error.code).toBe('NPY_MALFORMED');
    });
  });

  test('a model with SVDF is refused before running, naming the op, its version and the node', async () => {
    const file = referencePath('tflm/examples/keyword_scrambled.tflite');
    const { model } = loadModelFile(file);
    let err: unknown;
    try {
      new Interpreter(model, { source: file });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TinyOpsError);
    const e = err as TinyOpsError;
    expect(e.code).toBe('INTERP_UNSUPPORTED_OP');
    expect(e.message).toMatch(
      /^Node 1 \(SVDF version 3\) cannot run on the TinyOps interpreter: the interpreter has no SVDF kernel/,
    );
    expect(e.message).toContain('nodes 3, 5, 7, 9, 10, 11 (SVDF version 3)');
    expect(e.where).toBe(`${file}: operator 1`);
    const input = path.join(os.tmpdir(), `tinyops-svdf-${process.pid}.bin`);
    fs.writeFileSync(input, Buffer.alloc(640));
    try {
      const res = await runCli(['run', file, '--input', input]);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('SVDF version 3');
      expect(res.stdout).toBe('');
    } finally {
      fs.rmSync(input, { force: true });
    }
  });

  test('end to end: a real process writes output 0 as binary on stdout', () => {
    const c = cases.find((x) => x.name === 'vww01_96_int8')!;
    const input = path.join(os.tmpdir(), `tinyops-vww-${process.pid}.bin`);
    fs.writeFileSync(input, c.inputs[3][0]);
    try {
      const root = path.resolve(__dirname, '../..');
      const res = spawnSync(
        process.execPath,
        ['scripts/run-ts.mjs', 'shared/cli/entry.ts', 'run', c.modelPath, '--input', input],
        {
          cwd: root,
          encoding: 'buffer',
          timeout: 60000,
        },
      );
      expect(res.stderr.toString()).toBe('');
      expect(res.status).toBe(0);
      expect(res.stdout.equals(c.outputs[3])).toBe(true);
    } finally {
      fs.rmSync(input, { force: true });
    }
  });
});
