import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import { loadFloatModel } from '../../shared/quant/pipeline';
import { hostAccuracy } from '../../shared/gate/accuracy';
import { loadModelFile } from '../../shared/tflite';

const FIX = path.resolve(__dirname, '../../action-fixtures');
const VAL = path.join(FIX, 'data/digits_val.npy');
const LABELS = path.join(FIX, 'data/digits_val_labels.npy');

/** The digits CNN as a Keras training script would save it (scripts/make-quant-fixtures.ts:
 * unfused batch norms, separate ReLUs, dropout, Flatten) in each format we import. */
describe.each(['model.h5', 'model.keras', 'model.json'])(
  'quantizing the Keras/TF.js digits fixture %s',
  (file) => {
    test('gives a full int8 model whose accuracy drops under 1 point on held-out digits', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-keras-'));
      try {
        const out = path.join(dir, 'int8.tflite');
        const { code, stderr } = await runCli([
          'quantize',
          path.join(FIX, 'keras', file),
          '--dataset',
          path.join(FIX, 'data/digits_calib.npy'),
          '--out',
          out,
        ]);
        expect({ code, stderr: stderr.replace(/calibrating: .*\n/g, '') }).toEqual({
          code: 0,
          stderr: '',
        });
        const int8 = loadModelFile(out).model;
        expect(int8.subgraphs[0].tensors.filter((t) => t.type === 'FLOAT32')).toEqual([]);
        const floatAcc = hostAccuracy(
          loadFloatModel(path.join(FIX, 'keras', file)).model,
          VAL,
          LABELS,
        ).value;
        const int8Acc = hostAccuracy(int8, VAL, LABELS).value;
        expect(floatAcc).toBeGreaterThan(0.9);
        expect(floatAcc - int8Acc).toBeLessThan(0.01);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
