import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../shared/cli/main';
import { loadModelFile, readModelMetadata } from '../../shared/tflite';
import type { CliIO } from '../../shared/cli/types';
import { describeWithReference, referencePath } from '../helpers/reference';

function capture(): CliIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(text: string) {
      io.out += text.endsWith('\n') ? text : `${text}\n`;
    },
    stderr(text: string) {
      io.err += text.endsWith('\n') ? text : `${text}\n`;
    },
  };
  return io;
}

describeWithReference('tinyops analyze', () => {
  const kws = referencePath('mlperf-tiny/kws01_ref_int8.tflite');

  it('prints the op table, totals, plan with bound and TFLM figure, op support and every board', async () => {
    const io = capture();
    expect(await main(['analyze', kws], io)).toBe(0);
    expect(io.err).toBe('');
    expect(io.out).toMatch(/^ *0 +CONV_2D +3 +INT8\[1,49,10,1\] +INT8\[1,25,5,64\] +320,000 /m);
    expect(io.out).toContain('Totals: 2,656,768 MACs');
    expect(io.out).toMatch(/arena plan: +16,000 B/);
    expect(io.out).toMatch(/lower bound: +16,000 B/);
    expect(io.out).toMatch(/gap: +0 B \(0\.0%\)/);
    expect(io.out).toMatch(/TFLite Micro arena_used_bytes estimate, 32-bit MCU: 22,7\d\d B/);
    expect(io.out).toContain('tflm-reference: all ops supported');
    for (const board of ['nano33ble', 'pico', 'qemu-mps2-an386', 'himax-we1'])
      expect(io.out).toMatch(new RegExp(`^${board} `, 'm'));
  });

  it('--json prints one JSON document; --board narrows to one board with its latency basis', async () => {
    const io = capture();
    expect(await main(['analyze', kws, '--board', 'nrf52840', '--json'], io)).toBe(0);
    const doc = JSON.parse(io.out);
    expect(doc.ok).toBe(true);
    expect(doc.model.ops).toBe(13);
    expect(doc.totals.macs).toBe(2656768);
    expect(doc.memory).toMatchObject({
      planBytes: 16000,
      lowerBound: 16000,
      gapBytes: 0,
      alignment: 16,
    });
    expect(doc.memory.offlineAllocation).toHaveLength(35);
    expect(doc.tflm.host64.totalBytes).toBe(24208);
    expect(doc.boards).toHaveLength(1);
    expect(doc.boards[0].board.id).toBe('nano33ble');
    expect(doc.boards[0].fit.fits).toBe(true);
    expect(doc.boards[0].latency.optimized.basis).toMatch(
      /^estimate: CMSIS-NN on cortex-m4 at 64 MHz/,
    );
    expect(doc.support.map((s: { runtime: string }) => s.runtime)).toEqual([
      'tinyops',
      'tflm-reference',
      'cmsis-nn',
    ]);
  });

  it('--write-plan writes the model with the plan as OfflineMemoryAllocation metadata', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-analyze-'));
    const out = path.join(dir, 'planned.tflite');
    const io = capture();
    expect(
      await main(
        [
          'analyze',
          referencePath('mlperf-tiny/vww01_96_int8.tflite'),
          '--write-plan',
          out,
          '--json',
        ],
        io,
      ),
    ).toBe(0);
    const doc = JSON.parse(io.out);
    const plan = readModelMetadata(loadModelFile(out).model).offlineMemoryAllocation;
    expect(plan?.offsets).toEqual(doc.memory.offlineAllocation);
    expect(Math.max(...plan!.offsets)).toBeLessThan(doc.memory.planBytes);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a board too small says which resource does not fit', async () => {
    const io = capture();
    expect(
      await main(
        [
          'analyze',
          referencePath('mlperf-tiny/ic01_resnet_large_float32.tflite'),
          '--board',
          'pico',
        ],
        io,
      ),
    ).toBe(0);
    expect(io.out).toMatch(/^pico .* NO \(RAM\)/m);
  });

  it('an unknown board fails with a suggestion (exit 1), as JSON with --json', async () => {
    const io = capture();
    expect(await main(['analyze', kws, '--board', 'esp23'], io)).toBe(1);
    expect(io.err).toContain('Unknown board "esp23": did you mean "esp32"?');
    expect(io.err).toContain('nano33ble');
    const j = capture();
    expect(await main(['analyze', kws, '--board', 'esp23', '--json'], j)).toBe(1);
    expect(JSON.parse(j.out).error.code).toBe('UNKNOWN_BOARD');
  });
});

describe('tinyops analyze usage and input errors', () => {
  it('no model is a usage error (exit 2)', async () => {
    const io = capture();
    expect(await main(['analyze'], io)).toBe(2);
    expect(io.err).toContain('Missing argument: MODEL');
  });

  it('a missing file and a non-TFLite file are errors that say so (exit 1)', async () => {
    const io = capture();
    expect(await main(['analyze', '/nonexistent/model.tflite'], io)).toBe(1);
    expect(io.err).toContain('Model file not found');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-analyze-'));
    const bogus = path.join(dir, 'model.tflite');
    fs.writeFileSync(bogus, 'this is not a flatbuffer at all');
    const io2 = capture();
    expect(await main(['analyze', bogus], io2)).toBe(1);
    expect(io2.err).toContain('not a TFLite model');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
