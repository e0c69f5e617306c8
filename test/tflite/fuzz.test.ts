import { mulberry32 } from '../../shared/util/prng';
import * as fs from 'node:fs';
import { readModel, TfliteFormatError } from '../../shared/tflite';
import { describeWithReference, referencePath } from '../helpers/reference';

/** Deterministic PRNG so a failing case can be replayed from its seed. */
const prng = mulberry32;

type Mutation = (bytes: Uint8Array, rand: () => number) => Uint8Array;

const int = (rand: () => number, n: number) => Math.floor(rand() * n);

/** The mutations a damaged or hostile file shows: cut short, flipped bits, offsets and lengths
 * pointed elsewhere (small shifts, far past the end, to zero, to 0xffffffff). */
const MUTATIONS: Record<string, Mutation> = {
  truncate: (b, r) => b.slice(0, int(r, b.length)),
  bitflips: (b, r) => {
    const out = b.slice();
    for (let k = 1 + int(r, 8); k > 0; k--) out[int(r, out.length)] ^= 1 << int(r, 8);
    return out;
  },
  word: (b, r) => {
    // Most offsets, lengths and vtable entries sit in the first part of a file, before the weights.
    const out = b.slice();
    const view = new DataView(out.buffer);
    const at = Math.min(out.length - 4, int(r, Math.min(out.length, 4096)) & ~3);
    const old = view.getUint32(at, true);
    const choices = [
      0,
      0xffffffff,
      0x7fffffff,
      old + 4,
      old - 4,
      old * 2,
      int(r, out.length),
      out.length - at,
    ];
    view.setUint32(at, choices[int(r, choices.length)] >>> 0, true);
    return out;
  },
  short: (b, r) => {
    const out = b.slice();
    const view = new DataView(out.buffer);
    const at = int(r, Math.min(out.length, 4096) - 2) & ~1;
    view.setUint16(at, [0, 1, 3, 0xffff, int(r, 0x10000)][int(r, 5)], true);
    return out;
  },
  splice: (b, r) => {
    const out = b.slice();
    const from = int(r, out.length);
    const to = int(r, out.length);
    const len = Math.min(int(r, 64), out.length - Math.max(from, to));
    out.copyWithin(to, from, from + len);
    return out;
  },
};

describeWithReference('mutation fuzzing of the TFLite reader', () => {
  const models = [
    'tflm/examples/hello_world__hello_world_int8.tflite',
    'tflm/examples/memory_footprint__simple_add_model.tflite',
    'mlperf-tiny/ad01_int8.tflite',
    'mlperf-tiny/kws01_ref_int8.tflite',
    'tflm/examples/micro_speech__micro_speech_quantized.tflite',
    'tflm/examples/person_detect_vela.tflite',
  ];
  const CASES_PER_MUTATION = 250; // 6 models x 5 mutations x 250 = 7,500 cases

  test.each(models)('%s: every mutant parses or throws TfliteFormatError', (rel) => {
    const original = new Uint8Array(fs.readFileSync(referencePath(rel)));
    const outcomes: Record<string, number> = { parsed: 0, rejected: 0 };
    for (const [name, mutate] of Object.entries(MUTATIONS)) {
      for (let i = 0; i < CASES_PER_MUTATION; i++) {
        const seed = i * 7919 + name.length * 104729;
        const mutant = mutate(original, prng(seed));
        try {
          readModel(mutant, `${name}#${seed}`);
          outcomes.parsed++;
        } catch (err) {
          if (!(err instanceof TfliteFormatError)) {
            throw new Error(
              `${rel} ${name} seed ${seed}: threw ${String(err)} instead of TfliteFormatError`,
            );
          }
          outcomes.rejected++;
        }
      }
    }
    // Both outcomes must occur: the mutations reach the structure, and benign ones still parse.
    expect(outcomes.rejected).toBeGreaterThan(100);
    expect(outcomes.parsed + outcomes.rejected).toBe(5 * CASES_PER_MUTATION);
  });

  test('a vector length forged to 4 GB is rejected before any allocation', () => {
    const original = new Uint8Array(fs.readFileSync(referencePath('mlperf-tiny/ad01_int8.tflite')));
    const model = readModel(original);
    // Find the weights buffer's length prefix by its content and forge it.
    const data = model.buffers.find((b) => b.data.length > 1000)!.data;
    const at = data.byteOffset - original.byteOffset - 4;
    const forged = original.slice();
    new DataView(forged.buffer).setUint32(at, 0xfffffff0, true);
    expect(() => readModel(forged)).toThrow(/does not fit in the file/);
  });
});
