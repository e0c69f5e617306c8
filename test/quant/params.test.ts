import {
  asymmetricParams,
  quantizeWeights,
  roundAway,
  symmetricScale,
} from '../../shared/quant/params';
import { constantAsFloat } from '../../shared/quant/tensor-data';
import { describeWithReference } from '../helpers/reference';
import { loadRef } from './helpers';

describe('quantization parameter arithmetic', () => {
  test('activation range widened to hold 0, zero point nudged and clamped', () => {
    expect(asymmetricParams(0, 6)).toEqual({ scale: Math.fround(6 / 255), zeroPoint: -128 });
    expect(asymmetricParams(-6, 0)).toEqual({ scale: Math.fround(6 / 255), zeroPoint: 127 });
    // A range that does not include 0 is widened to include it.
    expect(asymmetricParams(2, 4)).toEqual(asymmetricParams(0, 4));
    expect(asymmetricParams(0, 0)).toEqual({ scale: 1, zeroPoint: 0 });
  });

  test('std::round semantics: halves away from zero', () => {
    expect(roundAway(2.5)).toBe(3);
    expect(roundAway(-2.5)).toBe(-3);
    expect(roundAway(-2.4)).toBe(-2);
  });

  test('symmetric per-channel weights use [-127, 127] and max |w| / 127', () => {
    const w = Float32Array.from([1, -2, 0.5, 0.25, 0, 0]);
    const q = quantizeWeights(w, [3, 2], 0);
    expect(q.scales).toEqual([symmetricScale(2), symmetricScale(0.5), symmetricScale(0)]);
    expect(Array.from(q.q)).toEqual([64, -127, 127, 64, 0, 0]);
    expect(Math.min(...q.q)).toBeGreaterThanOrEqual(-127);
  });
});

describeWithReference('parameters match the converter on the MLPerf Tiny int8 models', () => {
  test('ad01_int8: every activation scale and zero point follows from its recorded min/max', () => {
    const model = loadRef('mlperf-tiny/ad01_int8.tflite');
    const sg = model.subgraphs[0];
    let checked = 0;
    for (const t of sg.tensors) {
      const q = t.quantization;
      if (
        t.type !== 'INT8' ||
        !q ||
        q.min.length !== 1 ||
        t.buffer === 0 ||
        model.buffers[t.buffer].data.length > 0
      )
        continue;
      const p = asymmetricParams(q.min[0], q.max[0]);
      expect(p.scale).toBe(q.scale[0]);
      expect(p.zeroPoint).toBe(q.zeroPoint[0]);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(11);
  });

  test("ic01 and vww01: per-channel weight scales and int8 values equal the converter's from the float weights", () => {
    for (const [floatPath, int8Path] of [
      ['mlperf-tiny/ic01_resnet_float32.tflite', 'mlperf-tiny/ic01_resnet_quant.tflite'],
      ['mlperf-tiny/vww01_96_float32.tflite', 'mlperf-tiny/vww01_96_int8.tflite'],
    ]) {
      const fm = loadRef(floatPath);
      const qm = loadRef(int8Path);
      let tensors = 0;
      let differing = 0;
      let values = 0;
      fm.subgraphs[0].operators.forEach((op, i) => {
        const qop = qm.subgraphs[0].operators[i];
        if (op.inputs.length < 2) return;
        const wf = fm.subgraphs[0].tensors[op.inputs[1]];
        const wq = qm.subgraphs[0].tensors[qop.inputs[1]];
        if (wq.type !== 'INT8' || wq.quantization!.scale.length < 2) return;
        const axis = wq.quantization!.quantizedDimension;
        // Near-zero channels get their scale raised so |bias| / (s_in * s_w) <= 2^30.
        const inScale = qm.subgraphs[0].tensors[qop.inputs[0]].quantization!.scale[0];
        const bias = constantAsFloat(fm, fm.subgraphs[0].tensors[op.inputs[2]]);
        const minScales = Array.from(bias, (b) => Math.abs(b) / (inScale * 2 ** 30));
        const ours = quantizeWeights(constantAsFloat(fm, wf), wf.shape, axis, minScales);
        ours.scales.forEach((s, c) =>
          expect(Math.abs(s - wq.quantization!.scale[c])).toBeLessThanOrEqual(1e-6 * s),
        );
        const theirs = new Int8Array(qm.buffers[wq.buffer].data.slice().buffer);
        for (let k = 0; k < theirs.length; k++) if (theirs[k] !== ours.q[k]) differing++;
        values += theirs.length;
        tensors++;
      });
      expect(tensors).toBeGreaterThan(8);
      // The converter's float32 division can round a value sitting on a half differently.
      expect(differing / values).toBeLessThan(1e-3);
    }
  });
});
