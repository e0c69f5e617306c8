import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeModel, withOfflinePlan } from '../../shared/analyze';
import { loadModelFile, writeModel } from '../../shared/tflite';
import { describeWithReference, referencePath } from '../helpers/reference';
import { buildHostRunner, FIRMWARE_DIR, haveTool, runtimeSources, SANITIZE_FLAGS } from './helpers';

/** Mutation fuzzing of the C model loader (and of invoke on every mutant it accepts), under
 * ASan+UBSan with -fno-sanitize-recover: any out-of-bounds access or undefined behaviour aborts
 * the runner, so a clean exit is the assertion. The mutants (truncation, bit flips, random bytes,
 * corrupted 32-bit offsets/lengths/indices, corrupted 16-bit vtable entries, aimed at the bytes
 * outside the weight buffers) come from a seeded PRNG, so a failure replays exactly. Bounded by
 * iteration count, not time. */

const describeGcc = haveTool('gcc') ? describeWithReference : describe.skip;

const CAMPAIGNS: Array<[string, number]> = [
  ['mlperf-tiny/kws01_ref_int8.tflite', 1500],
  ['mlperf-tiny/ad01_int8.tflite', 800],
  ['tflm/examples/hello_world__hello_world_int8.tflite', 1500],
  ['tflm/examples/memory_footprint__simple_add_model.tflite', 1000],
  ['tflm/examples/micro_speech__micro_speech_quantized.tflite', 800],
];

describeGcc('C runtime loader under mutation fuzzing (ASan+UBSan)', () => {
  let build: { dir: string; exe: string };
  beforeAll(() => {
    build = buildHostRunner('tor-fuzz-');
  });
  afterAll(() => {
    if (build) fs.rmSync(build.dir, { recursive: true, force: true });
  });

  /** kws01 carrying the analyzer's offline arena plan, so the metadata path is fuzzed too. */
  function plannedKws(): string {
    const { model, bytes } = loadModelFile(referencePath('mlperf-tiny/kws01_ref_int8.tflite'));
    const plan = analyzeModel(model, bytes.length).memory.offlineAllocation;
    const file = path.join(build.dir, 'kws01.planned.tflite');
    fs.writeFileSync(file, writeModel(withOfflinePlan(model, plan)));
    return file;
  }

  test.each([...CAMPAIGNS, ['kws01 with an offline plan', 1000] as [string, number]])(
    '%s: %d mutants, no sanitizer report',
    (rel, iterations) => {
      const file = rel.endsWith('.tflite') ? referencePath(rel) : plannedKws();
      const out = execFileSync(build.exe, ['fuzz', file, '12345', String(iterations)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 1 << 20,
      });
      const m = /fuzz iterations=(\d+) invoked=(\d+) s0=(\d+) s1=(\d+)/.exec(out);
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBe(iterations);
      // The campaign exercised both sides: some mutants rejected as malformed, some run.
      expect(Number(m![4])).toBeGreaterThan(0);
      expect(Number(m![2])).toBeGreaterThan(0);
    },
  );
});

/** libFuzzer (clang -fsanitize=fuzzer) on the loader, coverage-guided from three small real
 * models; bounded by run count. Skipped when clang is absent. */
const describeClang = haveTool('clang') ? describeWithReference : describe.skip;
if (!haveTool('clang'))
  console.warn('clang not found: the libFuzzer run of the model loader is skipped');

describeClang('C runtime loader under libFuzzer (ASan+UBSan)', () => {
  test('10,000 coverage-guided runs find nothing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tor-libfuzzer-'));
    try {
      const exe = path.join(dir, 'fuzz_loader');
      execFileSync(
        'clang',
        [
          ...SANITIZE_FLAGS.filter((f) => !f.startsWith('-fsanitize=')),
          '-fsanitize=fuzzer,address,undefined',
          '-o',
          exe,
          path.join(FIRMWARE_DIR, 'host', 'fuzz_loader.c'),
          ...runtimeSources(),
          '-lm',
        ],
        { stdio: 'pipe' },
      );
      const corpus = path.join(dir, 'corpus');
      fs.mkdirSync(corpus);
      for (const rel of [
        'tflm/examples/hello_world__hello_world_int8.tflite',
        'tflm/examples/memory_footprint__simple_add_model.tflite',
        'tflm/examples/micro_speech__micro_speech_quantized.tflite',
      ])
        fs.copyFileSync(referencePath(rel), path.join(corpus, path.basename(rel)));
      // Exit status 0 means no crash, leak or sanitizer report in any run.
      const r = spawnSync(exe, ['-runs=10000', '-seed=1', '-max_len=32768', corpus], {
        encoding: 'utf8',
        cwd: dir, // crash artifacts, if any, stay in the temp dir
        timeout: 300_000,
      });
      expect(r.stderr).toMatch(/Done 10000 runs/);
      expect(r.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
