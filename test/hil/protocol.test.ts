import { LineSplitter, isText, showLine } from '../../shared/hil/lines';
import {
  errorLines,
  parseCounters,
  parseFault,
  parseHello,
  parseLaps,
  parseOutputHex,
  parseProfile,
  parseResults,
} from '../../shared/hil/replies';
import { describeFault } from '../../shared/hil/fault';
import { latencyStats, nearestRank } from '../../shared/hil/stats';

/** The pieces of the harness client that need no device: line framing with its bound, the reply
 * parsers on lines as the template and the MLPerf Tiny reference ports print them, the fault
 * decoder and the latency statistics. The device itself is exercised in qemu.test.ts. */

describe('LineSplitter', () => {
  test('splits on \\n across chunks, drops \\r and \\0 as the MLPerf Tiny runner does', () => {
    const s = new LineSplitter(100);
    expect(s.push(Buffer.from('m-rea'))).toEqual([]);
    expect(s.push(Buffer.from('dy\r\nm-lap-us-1\0\r\nm-'))).toEqual([
      { kind: 'line', text: 'm-ready' },
      { kind: 'line', text: 'm-lap-us-1' },
    ]);
    expect(s.push(Buffer.from('init-done\n'))).toEqual([{ kind: 'line', text: 'm-init-done' }]);
  });

  test('a line over the bound is reported once, its rest dropped, and framing resumes', () => {
    const s = new LineSplitter(16);
    const ev = s.push(Buffer.from('x'.repeat(10)));
    expect(ev).toEqual([]);
    const over = s.push(Buffer.from('y'.repeat(10)));
    expect(over).toHaveLength(1);
    expect(over[0]).toMatchObject({ kind: 'overlong', bytes: 20 });
    expect(s.push(Buffer.from('z'.repeat(100)))).toEqual([]);
    expect(s.push(Buffer.from('zz\nm-ready\n'))).toEqual([{ kind: 'line', text: 'm-ready' }]);
  });

  test('isText and showLine', () => {
    expect(isText('m-results-[0.1,0.9]\t')).toBe(true);
    expect(isText('m-\x07x')).toBe(false);
    expect(isText('\xff\xfe')).toBe(false);
    expect(showLine('a\x01b')).toBe('a\\x01b');
    expect(showLine('q'.repeat(70))).toBe(`${'q'.repeat(60)}...`);
  });
});

describe('reply parsers', () => {
  test('m-results: reference formats, including the VWW trailing comma', () => {
    expect(parseResults(['m-infer-done', 'm-results-[0.496,0.000,0.004]'])).toEqual([
      0.496, 0, 0.004,
    ]);
    expect(parseResults(['m-results-[0.120,0.880,]'])).toEqual([0.12, 0.88]);
    expect(parseResults(['m-infer-done'])).toBeNull();
  });

  test('m-lap-us in order', () => {
    expect(parseLaps(['m-infer-start-1', 'm-lap-us-100', 'm-lap-us-4294967295'])).toEqual([
      100, 4294967295,
    ]);
  });

  test('the TinyOps handshake keeps unknown keys instead of refusing them', () => {
    const h = parseHello([
      'm-tinyops-[protocol=1 board=qemu-mps2-an386 model=kws01 input=int8:490 output=int8:12 db=496 counter=instructions arena=16000 future=x]',
    ]);
    expect(h).toEqual({
      protocol: 1,
      board: 'qemu-mps2-an386',
      model: 'kws01',
      input: { type: 'int8', bytes: 490 },
      output: { type: 'int8', bytes: 12 },
      db: 496,
      counter: 'instructions',
      arena: 16000,
      extra: { future: 'x' },
    });
    expect(parseHello(['e-[Unknown command: tinyops]'])).toBeNull();
  });

  test('output-hex and counters', () => {
    expect(Array.from(parseOutputHex(['m-output-hex-[ff8001]'])!)).toEqual([255, 128, 1]);
    expect(parseOutputHex(['m-output-hex-[ff8]'])).toBeNull();
    expect(parseOutputHex(['m-output-hex-[zz]'])).toBeNull();
    expect(
      parseCounters(['m-counters-[unit=instructions infers=2 total=40 min=19 max=21]']),
    ).toEqual({ unit: 'instructions', infers: 2, total: 40, min: 19, max: 21 });
    expect(parseCounters(['m-counters-[unit=us infers=x total=1 min=1 max=1]'])).toBeNull();
  });

  test('profile and errors', () => {
    expect(
      parseProfile(['m-profile-[ULPMark for tinyML Firmware V0.0.1]', 'm-model-[kws01]']),
    ).toEqual({ profile: 'ULPMark for tinyML Firmware V0.0.1', model: 'kws01' });
    expect(errorLines(['m-x', 'e-[Unknown command: q]'])).toEqual(['e-[Unknown command: q]']);
  });
});

describe('HardFault reports', () => {
  const line =
    'e-[hardfault pc=0x00000a3c lr=0x00000b11 cfsr=0x00008200 hfsr=0x40000000 bfar=0x5ffffff0]';

  test('parse and describe: where, why, and the faulting address', () => {
    const f = parseFault(line)!;
    expect(f).toEqual({ pc: 0xa3c, lr: 0xb11, cfsr: 0x8200, hfsr: 0x40000000, bfar: 0x5ffffff0 });
    const symbols = [
      { name: 'misbehave', addr: 0xa30, size: 0x20 },
      { name: 'command', addr: 0xb00, size: 0x80 },
    ];
    const text = describeFault(f, symbols);
    expect(text).toContain('pc=0x00000a3c in misbehave+0xc');
    expect(text).toContain('called from command+0x10');
    expect(text).toContain('PRECISERR');
    expect(text).toContain('at address 0x5ffffff0');
    expect(text).toContain('escalated to HardFault');
    // Without symbols it still says what it knows.
    expect(describeFault(f)).toContain('lr=0x00000b11');
  });

  test('usage faults and unknown lines', () => {
    const f = parseFault('e-[hardfault pc=0x10 lr=0x20 cfsr=0x02000000 hfsr=0x0 bfar=0x0]')!;
    expect(describeFault(f)).toContain('DIVBYZERO');
    expect(parseFault('e-[init: BAD_MODEL op=-]')).toBeNull();
  });
});

describe('latency statistics', () => {
  test('nearest-rank percentiles are measured values', () => {
    const v = Array.from({ length: 20 }, (_, i) => (i + 1) * 10);
    expect(nearestRank(v, 50)).toBe(100);
    expect(nearestRank(v, 95)).toBe(190);
    expect(latencyStats([30, 10, 20])).toEqual({
      min: 10,
      median: 20,
      p95: 30,
      max: 30,
      mean: 20,
    });
    expect(latencyStats([])).toBeNull();
  });
});
