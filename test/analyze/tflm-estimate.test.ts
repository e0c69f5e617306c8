import * as fs from 'node:fs';
import { loadModelFile } from '../../shared/tflite';
import { estimateTflmArena, m4Instructions, opCosts } from '../../shared/analyze';
import { describeWithReference, referencePath } from '../helpers/reference';

/** DESIGN.md: TFLite Micro's arena_used_bytes on the 32-bit Cortex-M4F and instruction counts. */
const DESIGN = [
  { model: 'kws01_ref_int8', arena32: 22772, reference: 133971200, cmsis: 9226493 },
  { model: 'vww01_96_int8', arena32: 100660, reference: 370027933, cmsis: 28557750 },
  { model: 'ic01_resnet_quant', arena32: 54340, reference: 539000860, cmsis: 41072237 },
  { model: 'ad01_int8', arena32: 2260, reference: 4069651, cmsis: 843707 },
];

describeWithReference('TFLite Micro arena estimate', () => {
  const index = JSON.parse(
    fs.readFileSync(referencePath('golden', 'index.json'), 'utf8'),
  ) as Record<string, { model: string; arena_used_bytes_host64: number; arena_head_bytes: number }>;

  it.each(Object.keys(index))(
    "%s: head equals TFLite Micro's, total matches the 64-bit host",
    (name) => {
      const entry = index[name];
      const est = estimateTflmArena(loadModelFile(referencePath(entry.model)).model, 8);
      expect(est.headBytes).toBe(entry.arena_head_bytes);
      expect(est.totalBytes).toBe(est.headBytes + est.tailBytes);
      // One calibration constant for all models; the replay of the tail does the rest, exactly.
      expect(est.totalBytes).toBe(entry.arena_used_bytes_host64);
    },
  );

  it.each(DESIGN)(
    "$model: 32-bit estimate near DESIGN.md's arena_used_bytes",
    ({ model, arena32 }) => {
      const est = estimateTflmArena(
        loadModelFile(referencePath(`mlperf-tiny/${model}.tflite`)).model,
        4,
      );
      // kws01, vww01, ic01 land within 16 bytes; ad01 (FC only) 120 bytes over (5.3%).
      expect(Math.abs(est.totalBytes - arena32) / arena32).toBeLessThan(0.06);
      expect(est.tailBytes).toBeLessThan(
        estimateTflmArena(loadModelFile(referencePath(`mlperf-tiny/${model}.tflite`)).model, 8)
          .tailBytes,
      );
    },
  );

  it('the tail breakdown names the per-channel arrays of conv models', () => {
    const est = estimateTflmArena(
      loadModelFile(referencePath('mlperf-tiny/kws01_ref_int8.tflite')).model,
      4,
    );
    const perChannel = est.tail.find((t) => t.what.startsWith('per-channel'));
    // 5 convs and 4 depthwise of 64 channels: 576 channels, two int32 arrays each.
    expect(perChannel?.count).toBe(576);
    expect(perChannel?.bytes).toBe(576 * 8);
  });
});

describeWithReference('latency model calibration', () => {
  it.each(DESIGN)(
    '$model: M4 instruction model within 2% (reference) and 6% (CMSIS-NN) of DESIGN.md',
    ({ model, reference, cmsis }) => {
      const costs = opCosts(loadModelFile(referencePath(`mlperf-tiny/${model}.tflite`)).model);
      expect(Math.abs(m4Instructions(costs, 'reference') / reference - 1)).toBeLessThan(0.02);
      expect(Math.abs(m4Instructions(costs, 'optimized') / cmsis - 1)).toBeLessThan(0.06);
    },
  );
});
