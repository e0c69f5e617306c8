import { runQuantize } from '../../../shared/quant/pipeline';
import { interpreterRunner } from '../../../shared/quant/int8-runner';
import { renderQuantizeSummary } from '../../../shared/quant/summary';
import type { CalibrationMethod } from '../../../shared/quant/calibrate';
import { TinyOpsError } from '../../../shared/errors';
import {
  booleanInput,
  info,
  input,
  integerInput,
  optionalInput,
  runAction,
  setOutputs,
  writeSummary,
} from '../../../shared/github/action';

const METHODS: CalibrationMethod[] = ['minmax', 'percentile', 'mse'];

void runAction(async () => {
  const method = input('method', 'minmax') as CalibrationMethod;
  if (!METHODS.includes(method))
    throw new TinyOpsError(
      'INPUT_INVALID',
      `Input "method" must be one of ${METHODS.join(', ')}, got "${method}"`,
      { hint: 'Use minmax, percentile or mse.' },
    );
  const reportPath = input('report-path', 'tinyops-quantize-report.json');
  let last = 0;
  const report = runQuantize({
    modelPath: input('model'),
    datasetPath: input('dataset'),
    outPath: input('out'),
    method,
    percentile: optionalInput('percentile') ? Number(optionalInput('percentile')) : undefined,
    perChannel: !booleanInput('per-tensor', false),
    floatIo: booleanInput('float-io', false),
    samples: integerInput('samples', 100),
    labelsPath: optionalInput('labels'),
    reportPath,
    makeInt8Runner: interpreterRunner,
    onProgress: (done, total) => {
      if (done === total || done - last >= Math.max(1, Math.floor(total / 10))) {
        last = done;
        info(`calibrating: ${done}/${total} samples`);
      }
    },
  });
  const e = report.evaluation;
  setOutputs({
    'model-path': report.output.path,
    'model-bytes': report.output.bytes,
    'model-sha256': report.output.sha256,
    'size-ratio': report.sizeRatio.toFixed(4),
    'float-accuracy': e.floatAccuracy,
    'int8-accuracy': e.int8Accuracy,
    'accuracy-drop': e.accuracyDrop,
    'top1-agreement': e.top1Agreement,
    'report-path': reportPath,
  });
  await writeSummary(renderQuantizeSummary(report));
});
