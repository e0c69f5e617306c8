import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  readModel,
  writeModel,
  opName,
  readModelMetadata,
  loadModelFile,
  TfliteFormatError,
} from '../../shared/tflite';
import type { Model } from '../../shared/tflite';
import {
  allReferenceModels,
  describeWithReference,
  referencePath,
  REFERENCE_DIR,
} from '../helpers/reference';
import { TinyOpsError } from '../../shared/errors';

const SCHEMA = path.resolve(REFERENCE_DIR, '../spec/tflite_schema.fbs');
const HAVE_FLATC = spawnSync('flatc', ['--version']).status === 0 && fs.existsSync(SCHEMA);
if (!HAVE_FLATC)
  console.warn(
    'flatc or the schema not found: the independent flatc --json cross-check is skipped (apt-get install flatbuffers-compiler)',
  );

/** Stable text of an IR for comparison (bytes as base64, bigints as text). */
export function irText(model: Model): string {
  return JSON.stringify(model, (_k, v) =>
    typeof v === 'bigint'
      ? `${v}n`
      : v instanceof Uint8Array
        ? Buffer.from(v).toString('base64')
        : v,
  );
}

describeWithReference('TFLite reader and writer on the reference models', () => {
  const models = allReferenceModels();

  test('there are 154 reference models', () => {
    expect(models.length).toBe(154);
  });

  test.each(models)('%s parses and round-trips (read, write, read gives the same IR)', (rel) => {
    const bytes = new Uint8Array(fs.readFileSync(referencePath(rel)));
    const model = readModel(bytes, rel);
    const again = readModel(writeModel(model), rel);
    expect(irText(again)).toBe(irText(model));
  });

  test('facts of kws01_ref_int8 known from the MLPerf Tiny README', () => {
    const { model } = loadModelFile(referencePath('mlperf-tiny/kws01_ref_int8.tflite'));
    const sg = model.subgraphs[0];
    const ops = sg.operators.map((op) => opName(model, op));
    expect(ops.filter((o) => o === 'CONV_2D')).toHaveLength(5);
    expect(ops.filter((o) => o === 'DEPTHWISE_CONV_2D')).toHaveLength(4);
    expect(ops.slice(-3)).toEqual(['RESHAPE', 'FULLY_CONNECTED', 'SOFTMAX']);
    const input = sg.tensors[sg.inputs[0]];
    expect(input.shape).toEqual([1, 49, 10, 1]);
    expect(input.type).toBe('INT8');
    expect(sg.tensors[sg.outputs[0]].shape).toEqual([1, 12]);
    const conv = sg.operators[0];
    expect(conv.builtinOptions?.$type).toBe('Conv2DOptions');
    // Per-channel weights: one scale per output channel along axis 0.
    const weights = sg.tensors[conv.inputs[1]];
    expect(weights.quantization?.scale.length).toBe(weights.shape[0]);
    expect(weights.quantization?.zeroPoint.every((z) => z === 0)).toBe(true);
    expect(readModelMetadata(model).minRuntimeVersion).toMatch(/^\d+\.\d+/);
  });

  test('a custom op is named by its custom code', () => {
    const { model } = loadModelFile(referencePath('tflm/examples/person_detect_vela.tflite'));
    const names = model.subgraphs[0].operators.map((op) => opName(model, op));
    expect(names).toContain('ethos-u');
  });

  (HAVE_FLATC ? test : test.skip)(
    'op lists, shapes and types match flatc --json on every model',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-flatc-'));
      try {
        // Debian's flatc 2.0.8 rejects (deprecated) on enum and union values; drop it in a scratch copy.
        const scratch = path.join(dir, 'schema.fbs');
        const schemaText = fs.readFileSync(SCHEMA, 'utf8');
        fs.writeFileSync(scratch, schemaText.replace(/ \(deprecated\),/g, ','));
        const builtinNames = builtinOperatorNames(schemaText);
        for (const rel of models) {
          execFileSync('flatc', [
            '--json',
            '--strict-json',
            '--raw-binary',
            '-o',
            dir,
            scratch,
            '--',
            referencePath(rel),
          ]);
          const json = JSON.parse(
            fs.readFileSync(path.join(dir, `${path.basename(rel, '.tflite')}.json`), 'utf8'),
          );
          const model = readModel(new Uint8Array(fs.readFileSync(referencePath(rel))), rel);
          expect(facts(model)).toEqual(flatcFacts(json, builtinNames));
          // The writer's output, read by flatc, says what the original says (empty vectors aside).
          const rewritten = path.join(dir, 'rewritten.tflite');
          fs.writeFileSync(rewritten, writeModel(model));
          // --defaults-json prints defaulted fields too, so written-vs-omitted defaults compare equal.
          const withDefaults = (file: string, name: string) => {
            execFileSync('flatc', [
              '--json',
              '--strict-json',
              '--defaults-json',
              '--raw-binary',
              '-o',
              dir,
              scratch,
              '--',
              file,
            ]);
            return dropEmpty(JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')));
          };
          expect(withDefaults(rewritten, 'rewritten')).toEqual(
            withDefaults(referencePath(rel), path.basename(rel, '.tflite')),
          );
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

/** flatc prints a present-but-empty vector as [] and an absent one not at all: equal for us. */
function dropEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropEmpty);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const d = dropEmpty(v);
      if ((Array.isArray(d) && d.length === 0) || d === '') continue;
      if (d && typeof d === 'object' && !Array.isArray(d) && Object.keys(d).length === 0) continue;
      out[k] = d;
    }
    return out;
  }
  return value;
}

interface Facts {
  subgraphs: Array<{ ops: string[]; tensors: number; inputs: string[]; outputs: string[] }>;
}

const sig = (shape: number[], type: string) => `${type}[${shape.join(',')}]`;

function facts(model: Model): Facts {
  return {
    subgraphs: model.subgraphs.map((sg) => ({
      ops: sg.operators.map((op) => opName(model, op)),
      tensors: sg.tensors.length,
      inputs: sg.inputs.map((i) => sig(sg.tensors[i].shape, sg.tensors[i].type)),
      outputs: sg.outputs.map((i) => sig(sg.tensors[i].shape, sg.tensors[i].type)),
    })),
  };
}

/** The BuiltinOperator names by value, read from the schema text (independent of our parser). */
function builtinOperatorNames(schemaText: string): Map<string, number> {
  const body = /enum BuiltinOperator : int32 \{([^}]*)\}/
    .exec(schemaText)![1]
    .replace(/\/\/[^\n]*/g, '');
  const names = new Map<string, number>();
  for (const m of body.matchAll(/(\w+)\s*=\s*(-?\d+)/g)) names.set(m[1], Number(m[2]));
  return names;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- flatc's JSON is untyped */
function flatcFacts(json: any, builtinNames: Map<string, number>): Facts {
  const byValue = new Map([...builtinNames].map(([k, v]) => [v, k]));
  const codes: string[] = (json.operator_codes ?? []).map((c: any) => {
    const code = Math.max(
      builtinNames.get(c.builtin_code ?? 'ADD') ?? 0,
      c.deprecated_builtin_code ?? 0,
    );
    return code === 32 ? (c.custom_code ?? 'CUSTOM') : byValue.get(code)!;
  });
  return {
    subgraphs: json.subgraphs.map((sg: any) => {
      const tensors = sg.tensors ?? [];
      const s = (i: number) => sig(tensors[i].shape ?? [], tensors[i].type ?? 'FLOAT32');
      return {
        ops: (sg.operators ?? []).map((op: any) => codes[op.opcode_index ?? 0]),
        tensors: tensors.length,
        inputs: (sg.inputs ?? []).map(s),
        outputs: (sg.outputs ?? []).map(s),
      };
    }),
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

describe('TFLite reader errors', () => {
  test('a file that is not a flatbuffer gives a typed error naming the field and offset', () => {
    const bytes = new TextEncoder().encode('hello, this is not a model at all');
    expect(() => readModel(bytes, 'x.tflite')).toThrow(TfliteFormatError);
    try {
      readModel(bytes, 'x.tflite');
    } catch (err) {
      const e = err as TfliteFormatError;
      expect(e.field).toBe('Model.file_identifier');
      expect(e.offset).toBe(4);
      expect(e.describe()).toMatch(/x\.tflite: not a valid TFLite model: file identifier/);
    }
  });

  test('loadModelFile names a missing file and a non-TFLite file', () => {
    expect(() => loadModelFile('/nonexistent/model.tflite')).toThrow(
      /Model file not found: \/nonexistent\/model.tflite/,
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-'));
    const lfs = path.join(dir, 'm.tflite');
    fs.writeFileSync(
      lfs,
      'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1234\n',
    );
    try {
      loadModelFile(lfs);
      throw new Error('expected an error');
    } catch (err) {
      expect(err).toBeInstanceOf(TinyOpsError);
      expect((err as TinyOpsError).code).toBe('NOT_TFLITE');
      expect((err as TinyOpsError).hint).toMatch(/Git LFS/);
    }
    fs.rmSync(dir, { recursive: true });
  });
});
