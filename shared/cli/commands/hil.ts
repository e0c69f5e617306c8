import type { CliCommand } from '../types';
import { parseCommandLine, integerOption } from '../args';
import { UsageError } from '../../errors';
import { runHil } from '../../hil/run';
import { HIL_REPORT_SCHEMA } from '../../hil/report';
import { formatHilText } from '../../hil/summary';
import { writeReport } from '../../report/io';
import { createProgress, formatProgress } from '../../data/progress';
import { parseDurationMs, parseFraction } from '../../config/units';

/** A timeout: seconds when bare (30), or with a unit (500ms, 2s); milliseconds out. */
const timeoutMs = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const ms = parseDurationMs(/^\s*[\d.]+\s*$/.test(v) ? `${v}s` : v, `--${name}`);
  if (!(ms > 0)) throw new UsageError(`--${name} must be longer than zero, got "${v}".`);
  return ms;
};

/** `tinyops hil`: a dataset through firmware on QEMU or a board on a serial port. Exit 0 when
 * every sample agrees with the host (or the --agreement bar is met), 1 otherwise. */
export const hilCommand: CliCommand = {
  summary:
    'stream a dataset through firmware on QEMU or a board; check agreement with the host, accuracy, latency',
  usage:
    'tinyops hil --firmware ELF --board BOARD --model MODEL --dataset PATH [--labels FILE] [--limit N] ' +
    '[--backend qemu|serial] [--port TTY --baud N --flash-command CMD --reset-command CMD] ' +
    '[--timeout SECONDS] [--boot-timeout SECONDS] [--agreement FRACTION|PERCENT] [--download auto|uart] [--report FILE] [--outputs FILE.npy] [--json] [--verbose]',
  async run(args, io) {
    const { values } = parseCommandLine(
      args,
      {
        firmware: { type: 'string' },
        board: { type: 'string' },
        model: { type: 'string' },
        dataset: { type: 'string' },
        labels: { type: 'string' },
        limit: { type: 'string' },
        backend: { type: 'string' },
        port: { type: 'string' },
        baud: { type: 'string' },
        'flash-command': { type: 'string' },
        'reset-command': { type: 'string' },
        timeout: { type: 'string' },
        'boot-timeout': { type: 'string' },
        agreement: { type: 'string' },
        report: { type: 'string' },
        outputs: { type: 'string' },
        download: { type: 'string' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean' },
      },
      { min: 0, max: 0, names: '' },
    );
    for (const k of ['firmware', 'board', 'model', 'dataset'] as const)
      if (!values[k]) throw new UsageError(`--${k} is required.`);
    const backend = values.backend ?? (values.port ? 'serial' : 'qemu');
    if (backend !== 'qemu' && backend !== 'serial')
      throw new UsageError(`--backend is qemu or serial, got "${backend}".`);
    if (backend === 'serial' && !values.port)
      throw new UsageError('--backend serial needs --port (e.g. /dev/ttyACM0).');
    const download = values.download ?? 'auto';
    if (download !== 'auto' && download !== 'uart')
      throw new UsageError(`--download is auto or uart, got "${download}".`);
    const requiredAgreement =
      values.agreement === undefined ? undefined : parseFraction(values.agreement, '--agreement');
    const report = await runHil({
      backend,
      firmware: values.firmware!,
      board: values.board!,
      model: values.model!,
      dataset: values.dataset!,
      labels: values.labels,
      limit: values.limit !== undefined ? integerOption('limit', values.limit, 0) : undefined,
      serial: values.port
        ? {
            port: values.port,
            baud: integerOption('baud', values.baud, 115200),
            flashCommand: values['flash-command'],
            resetCommand: values['reset-command'],
          }
        : undefined,
      sampleTimeoutMs: timeoutMs('timeout', values.timeout),
      bootTimeoutMs: timeoutMs('boot-timeout', values['boot-timeout']),
      requiredAgreement,
      outputsPath: values.outputs,
      download,
      progress: values.json
        ? undefined
        : (total) => createProgress(total, (e) => io.stderr(formatProgress('hil', e))),
      onLog: values.verbose ? (line) => io.stderr(`device: ${line}`) : undefined,
    });
    if (values.report) writeReport(values.report, HIL_REPORT_SCHEMA, report);
    io.stdout(values.json ? JSON.stringify(report, null, 2) : formatHilText(report));
    return report.status === 'pass' ? 0 : 1;
  },
};
