import { runHil } from '../../../shared/hil/run';
import { HIL_REPORT_SCHEMA } from '../../../shared/hil/report';
import { formatHilText, renderHilSummary } from '../../../shared/hil/summary';
import { createProgress, formatProgress } from '../../../shared/data/progress';
import { writeReport } from '../../../shared/report/io';
import { TinyOpsError } from '../../../shared/errors';
import {
  booleanInput,
  debug,
  failStep,
  fractionInput,
  info,
  input,
  integerInput,
  optionalInput,
  positiveNumberInput,
  runAction,
  setOutputs,
  writeSummary,
} from '../../../shared/github/action';
import { ensureQemu } from '../../../shared/github/toolchain';

const required = (name: string): string => {
  const value = optionalInput(name);
  if (!value)
    throw new TinyOpsError('INPUT_INVALID', `Input "${name}" is required`, {
      where: `with: ${name}`,
      hint: `Set ${name} in the step's with: block.`,
    });
  return value;
};
const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * 1000);

void runAction(async () => {
  const port = optionalInput('port');
  const backend = input('backend', port ? 'serial' : 'qemu');
  if (backend !== 'qemu' && backend !== 'serial')
    throw new TinyOpsError('INPUT_INVALID', `Input "backend" is qemu or serial, got "${backend}"`, {
      where: 'with: backend',
      hint: 'Use qemu for the emulated board, serial for a board on a self-hosted runner.',
    });
  if (backend === 'serial' && !port)
    throw new TinyOpsError('INPUT_INVALID', 'The serial backend needs input "port"', {
      where: 'with: port',
      hint: "Set port to the board's serial device on the runner, e.g. /dev/ttyACM0.",
    });
  if (backend === 'qemu') await ensureQemu(booleanInput('install-qemu', true));

  const report = await runHil({
    backend,
    firmware: required('firmware'),
    board: input('board', 'qemu-mps2-an386'),
    model: required('model'),
    dataset: required('dataset'),
    labels: optionalInput('labels'),
    serial: port
      ? {
          port,
          baud: integerInput('baud', 115200),
          flashCommand: optionalInput('flash-command'),
          resetCommand: optionalInput('reset-command'),
        }
      : undefined,
    limit: optionalInput('limit') !== undefined ? integerInput('limit', 0) : undefined,
    sampleTimeoutMs: ms(positiveNumberInput('timeout-seconds')),
    bootTimeoutMs: ms(positiveNumberInput('boot-timeout-seconds')),
    requiredAgreement: fractionInput('required-agreement'),
    // A line every few seconds: enough to see a slow board advance without flooding the log.
    progress: (total) =>
      createProgress(total, (e) => info(formatProgress('hil-test', e)), { intervalMs: 5000 }),
    onLog: (line) => debug(`device: ${line}`),
  });
  // A failing agreement is a complete measurement: write it for the gate and the artifacts.
  const reportPath = input('report-path', 'tinyops-hil-report.json');
  writeReport(reportPath, HIL_REPORT_SCHEMA, report);
  info(formatHilText(report));
  setOutputs({
    status: report.status,
    'report-path': reportPath,
    samples: report.dataset.samples,
    agreement: report.agreement.exactFraction,
    accuracy: report.accuracy?.device,
    'latency-median': report.latency?.perInference.median,
    'latency-unit': report.latency?.unit,
    'latency-ms': report.latency?.estimatedMs?.median,
  });
  await writeSummary(renderHilSummary(report));
  if (report.status === 'fail') {
    const a = report.agreement;
    failStep(
      `${a.samples - a.exact} of ${a.samples} samples differ from the host reference on ${report.board} ` +
        `(agreement ${(a.exactFraction * 100).toFixed(1)}%, required ${(a.required * 100).toFixed(1)}%); ` +
        `the job summary and ${reportPath} list the mismatches.`,
    );
  }
});
