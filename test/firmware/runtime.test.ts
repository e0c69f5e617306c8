import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  allReferenceModels,
  describeWithReference,
  goldenCases,
  referencePath,
} from '../helpers/reference';
import { analyzeModel, withOfflinePlan } from '../../shared/analyze';
import { loadModelFile, writeModel } from '../../shared/tflite';
import { buildHostRunner, haveTool } from './helpers';

/** The C runtime, built for the host under ASan+UBSan, against TFLite Micro's golden vectors. */

const REQUIRED = ['kws01_ref_int8', 'vww01_96_int8', 'ic01_resnet_quant', 'ad01_int8'];
/** Golden models that need float kernels, which the runtime does not have (yet). */
const FLOAT_MODELS = /float|fp32/;

const describeGcc = haveTool('gcc') ? describeWithReference : describe.skip;

describeGcc('C runtime on the host vs TFLite Micro golden outputs', () => {
  let build: { dir: string; exe: string };
  beforeAll(() => {
    build = buildHostRunner('tor-runtime-');
  });
  afterAll(() => {
    if (build) fs.rmSync(build.dir, { recursive: true, force: true });
  });

  function run(model: string, inputs: Buffer[], env: Record<string, string> = {}) {
    const files = inputs.map((buf, i) => {
      const f = path.join(build.dir, `in${i}.bin`);
      fs.writeFileSync(f, buf);
      return f;
    });
    const out = path.join(build.dir, 'out.bin');
    fs.rmSync(out, { force: true });
    const r = spawnSync(build.exe, ['run', model, out, ...files], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    if (r.status !== 0 && r.status !== 3)
      throw new Error(`host_runner failed (${r.status}): ${r.stderr}`);
    return {
      status: r.status,
      stdout: r.stdout,
      output: r.status === 0 ? fs.readFileSync(out) : undefined,
    };
  }

  const cases = goldenCases();
  const index = cases.length
    ? (JSON.parse(fs.readFileSync(referencePath('golden', 'index.json'), 'utf8')) as Record<
        string,
        { arena_head_bytes: number }
      >)
    : {};

  test('the golden set holds the four MLPerf Tiny int8 models', () => {
    for (const name of REQUIRED) expect(cases.map((c) => c.name)).toContain(name);
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s', (name, gc) => {
    if (FLOAT_MODELS.test(name)) {
      // Not supported: it must say so with a status, never produce an answer.
      const r = run(gc.modelPath, gc.inputs[0]);
      expect(r.status).toBe(3);
      expect(r.stdout).toMatch(/unsupported/);
      return;
    }
    expect(gc.inputs).toHaveLength(5);
    for (let k = 0; k < gc.inputs.length; k++) {
      const r = run(gc.modelPath, gc.inputs[k]);
      expect(r.stdout).toMatch(/^ok arena_used=\d+/);
      expect(r.output?.toString('hex')).toBe(gc.outputs[k].toString('hex'));
      // The arena plan is never larger than TFLite Micro's planned activation memory.
      const used = Number(/arena_used=(\d+)/.exec(r.stdout)?.[1]);
      expect(used).toBeLessThanOrEqual(index[name].arena_head_bytes);
    }
  });

  test('an arena one byte too small is a status, not an overflow', () => {
    const kws = cases.find((c) => c.name === 'kws01_ref_int8')!;
    const ok = run(kws.modelPath, kws.inputs[0]);
    const used = Number(/arena_used=(\d+)/.exec(ok.stdout)?.[1]);
    const r = run(kws.modelPath, kws.inputs[0], { TOR_ARENA_LIMIT: String(used - 1) });
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/status=7 arena too small/);
  });

  test('an operator the runtime lacks is named by status and op index', () => {
    // person_detect_vela is one custom ethos-u op, compiled for an NPU.
    const r = run(referencePath('tflm/examples/person_detect_vela.tflite'), []);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/^status=2 unsupported operator op=0$/m);
  });

  test('every reference model loads and runs, or is refused with a status other than "malformed"', () => {
    const seen: Record<string, string> = {};
    for (const rel of allReferenceModels()) {
      const r = run(referencePath(rel), []); // inputs stay zero: this checks the plumbing, not values
      const verdict =
        r.status === 0 ? 'ok' : (/status=\d+ ([a-z ]+)/.exec(r.stdout)?.[1] ?? r.stdout);
      seen[rel] = verdict;
      expect(verdict).not.toBe('malformed model');
    }
    // The runtime supports every int8 MLPerf Tiny model.
    for (const rel of Object.keys(seen).filter((m) =>
      /mlperf-tiny\/.*(int8|quant\.tflite|ref_int8)/.test(m),
    ))
      if (!/tf23_quant\.tflite/.test(rel)) expect([rel, seen[rel]]).toEqual([rel, 'ok']);
  });

  test.each(REQUIRED)(
    "%s with the analyzer's offline plan in its metadata: used, and still golden",
    (name) => {
      const gc = cases.find((c) => c.name === name)!;
      const { model, bytes } = loadModelFile(gc.modelPath);
      const memory = analyzeModel(model, bytes.length).memory;
      const planned = path.join(build.dir, `${name}.planned.tflite`);
      fs.writeFileSync(planned, writeModel(withOfflinePlan(model, memory.offlineAllocation)));
      for (let k = 0; k < gc.inputs.length; k++) {
        const r = run(planned, gc.inputs[k]);
        expect(r.stdout).toMatch(/plan=offline/);
        expect(Number(/arena_used=(\d+)/.exec(r.stdout)?.[1])).toBeLessThanOrEqual(
          memory.planBytes,
        );
        expect(r.output?.toString('hex')).toBe(gc.outputs[k].toString('hex'));
      }
      // A plan that puts live tensors on top of each other is refused, not followed.
      const bad = memory.offlineAllocation.map((o) => (o >= 0 ? 0 : o));
      fs.writeFileSync(planned, writeModel(withOfflinePlan(model, bad)));
      const r = run(planned, gc.inputs[0]);
      expect(r.status).toBe(3);
      expect(r.stdout).toMatch(/status=1 malformed model/);
    },
  );
});
