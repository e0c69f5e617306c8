import { seededBytes } from '../../shared/util/prng';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildHostRunner, haveTool } from './helpers';
import { goldenCases, describeWithReference } from '../helpers/reference';
import { loadModelFile, tensorByteSize } from '../../shared/tflite';
import { Interpreter } from '../../shared/interp';

/** Seeded bytes: inputs neither implementation was tuned on. */
const randomBytes = seededBytes;

const FIXTURE = path.resolve(__dirname, '../../action-fixtures/models/digits_int8.tflite');
/** Fewer inputs for the big image models: the C side runs under ASan. */
const HEAVY = new Set([
  'vww01_96_int8',
  'ic01_resnet_quant',
  'ic01_resnet_large_int8',
  'person_detect',
]);

/** Both kernel paths of the C runtime: the portable C one, and the Cortex-M DSP one run on C
 * models of its instructions (TOR_DSP_EMULATE), so its memory accesses are under ASan too. */
const PATHS: Array<[string, string[]]> = [
  ['portable C kernels', []],
  ['DSP kernels (emulated instructions)', ['TOR_DSP_EMULATE']],
];

(haveTool('gcc') ? describeWithReference : describe.skip).each(PATHS)(
  'C runtime (%s) and TypeScript interpreter agree bit for bit on unseen inputs',
  (_label, defines) => {
    let runner: { dir: string; exe: string };
    beforeAll(() => {
      runner = buildHostRunner('tinyops-agree-', defines);
    });
    afterAll(() => fs.rmSync(runner.dir, { recursive: true, force: true }));

    // Every int8 golden model (the C runtime's scope) plus the project's fixture model.
    const cases = [
      ...goldenCases()
        .filter((c) => {
          const { model } = loadModelFile(c.modelPath);
          const sg = model.subgraphs[0];
          return sg.inputs.every((i) => sg.tensors[i].type === 'INT8');
        })
        .map((c) => ({ name: c.name, modelPath: c.modelPath })),
      { name: 'digits_int8 (fixture)', modelPath: FIXTURE },
    ];

    test('the int8 models cover the MLPerf Tiny set', () => {
      expect(cases.map((c) => c.name)).toEqual(
        expect.arrayContaining([
          'kws01_ref_int8',
          'vww01_96_int8',
          'ic01_resnet_quant',
          'ad01_int8',
        ]),
      );
    });

    test.each(cases)('$name', ({ name, modelPath }) => {
      const { model } = loadModelFile(modelPath);
      const sg = model.subgraphs[0];
      const interp = new Interpreter(model);
      const count = HEAVY.has(name) ? 3 : 12;
      for (let k = 0; k < count; k++) {
        const inputs = sg.inputs.map((t, j) =>
          randomBytes(1000 * k + 17 * j + name.length, tensorByteSize(sg.tensors[t])),
        );
        const files = inputs.map((bytes, j) => {
          const file = path.join(runner.dir, `in-${j}.bin`);
          fs.writeFileSync(file, bytes);
          return file;
        });
        const outFile = path.join(runner.dir, 'out.bin');
        const r = spawnSync(runner.exe, ['run', modelPath, outFile, ...files], {
          encoding: 'utf8',
        });
        expect({ sample: k, status: r.status, stderr: r.stderr }).toEqual({
          sample: k,
          status: 0,
          stderr: '',
        });
        const device = fs.readFileSync(outFile);
        const host = Buffer.from(interp.invoke(inputs)[0]);
        expect({ sample: k, equal: Buffer.compare(device, host) === 0 }).toEqual({
          sample: k,
          equal: true,
        });
      }
    });
  },
);
