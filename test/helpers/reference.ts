import * as fs from 'node:fs';
import * as path from 'node:path';

/** ../shared/reference-models beside the repo (TINYOPS_REFERENCE_DIR overrides). Tests that need
 * it skip with a message when it is absent, as on a clone without the shared material. */
export const REFERENCE_DIR =
  process.env.TINYOPS_REFERENCE_DIR ?? path.resolve(__dirname, '../../../shared/reference-models');

export const HAVE_REFERENCE = fs.existsSync(path.join(REFERENCE_DIR, 'golden', 'index.json'));

if (!HAVE_REFERENCE && !process.env.TINYOPS_QUIET_SKIP) {
  console.warn(`reference models not found at ${REFERENCE_DIR}: tests that need them are skipped`);
}

/** `describe` when the reference models are present, `describe.skip` otherwise. */
export const describeWithReference: jest.Describe = HAVE_REFERENCE ? describe : describe.skip;

export function referencePath(...parts: string[]): string {
  return path.join(REFERENCE_DIR, ...parts);
}

/** Every .tflite file under the reference folder, relative to it, sorted. */
export function allReferenceModels(): string[] {
  if (!HAVE_REFERENCE) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.tflite')) out.push(path.relative(REFERENCE_DIR, full));
    }
  };
  walk(REFERENCE_DIR);
  return out.sort();
}

export interface GoldenCase {
  name: string;
  modelPath: string;
  /** Per sample: the input tensors' raw bytes, in input order. */
  inputs: Buffer[][];
  outputs: Buffer[];
}

/** The golden vectors from TFLite Micro (see golden/README.md). */
export function goldenCases(): GoldenCase[] {
  if (!HAVE_REFERENCE) return [];
  const dir = referencePath('golden');
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const caseDir = path.join(dir, name);
      const modelPath = referencePath(
        fs.readFileSync(path.join(caseDir, 'model-path'), 'utf8').trim(),
      );
      const inputs: Buffer[][] = [];
      const outputs: Buffer[] = [];
      for (let k = 0; fs.existsSync(path.join(caseDir, `output-${k}.bin`)); k++) {
        const single = path.join(caseDir, `input-${k}.bin`);
        if (fs.existsSync(single)) inputs.push([fs.readFileSync(single)]);
        else {
          const multi: Buffer[] = [];
          for (let i = 0; fs.existsSync(path.join(caseDir, `input-${k}-in${i}.bin`)); i++)
            multi.push(fs.readFileSync(path.join(caseDir, `input-${k}-in${i}.bin`)));
          inputs.push(multi);
        }
        outputs.push(fs.readFileSync(path.join(caseDir, `output-${k}.bin`)));
      }
      return { name, modelPath, inputs, outputs };
    });
}
