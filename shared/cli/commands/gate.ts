import type { CliCommand } from '../types';
import { parseCommandLine } from '../args';
import { UsageError } from '../../errors';
import { prepareGate, GATE_REPORT_SCHEMA } from '../../gate/prepare';
import { runGate, type FailOn } from '../../gate/run';
import { writeReport } from '../../report/io';
import type { BudgetsFile } from '../../config/tinyops-yml';
import { hostAccuracy } from '../../gate/accuracy';
import { measuredFromBuildReport, measuredFromHilReport } from '../../gate/measured';
import { parseFraction } from '../../config/units';

const FAIL_ON: FailOn[] = ['error', 'warning', 'never'];

export const gateCommand: CliCommand = {
  summary:
    "check a model against a board's flash, RAM, latency and accuracy budgets (the PR check, locally)",
  usage:
    'tinyops gate MODEL --board BOARD [--board BOARD2] [--config tinyops.yml] [--max-flash N] [--max-ram N] ' +
    '[--max-latency MS] [--min-accuracy F] [--max-accuracy-drop F] [--fail-on error|warning|never] ' +
    '[--baseline FILE] [--dataset PATH --labels PATH] [--build-report FILE] [--hil-report FILE] [--report FILE] [--json]',
  async run(args, io) {
    const { values, positionals } = parseCommandLine(
      args,
      {
        board: { type: 'string', multiple: true },
        config: { type: 'string' },
        'max-flash': { type: 'string' },
        'max-ram': { type: 'string' },
        'max-latency': { type: 'string' },
        'min-accuracy': { type: 'string' },
        'max-accuracy-drop': { type: 'string' },
        'headroom-warning': { type: 'string' },
        'fail-on': { type: 'string' },
        baseline: { type: 'string' },
        'baseline-accuracy': { type: 'string' },
        dataset: { type: 'string' },
        labels: { type: 'string' },
        'build-report': { type: 'string' },
        'hil-report': { type: 'string' },
        report: { type: 'string' },
        json: { type: 'boolean' },
      },
      { min: 0, max: 1, names: 'MODEL' },
    );
    const failOn = values['fail-on'] as FailOn | undefined;
    if (failOn !== undefined && !FAIL_ON.includes(failOn))
      throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(', ')}, got "${failOn}".`);
    const budgets: BudgetsFile = {};
    for (const key of [
      'max-flash',
      'max-ram',
      'max-latency',
      'min-accuracy',
      'max-accuracy-drop',
      'headroom-warning',
    ] as const) {
      if (values[key] !== undefined) budgets[key] = values[key];
    }
    const input = prepareGate({
      model: positionals[0],
      configPath: values.config,
      configRequired: values.config !== undefined,
      boards: values.board,
      budgets,
      failOn,
      baselinePath: values.baseline,
    });
    const config = input.config;
    const dataset = values.dataset ?? config.dataset?.path;
    const labels = values.labels ?? config.dataset?.labels;
    if (dataset) {
      if (!labels) throw new UsageError('--dataset needs --labels (one class label per sample).');
      input.accuracy = hostAccuracy(input.model, dataset, labels, config.dataset?.limit);
    }
    if (input.baseline?.kind === 'model' && values['baseline-accuracy'] !== undefined)
      input.baseline.accuracy = parseFraction(values['baseline-accuracy'], '--baseline-accuracy');
    const buildReport = values['build-report'] ?? config.reports?.build;
    if (buildReport)
      input.measured = [...(input.measured ?? []), measuredFromBuildReport(buildReport)];
    const hilReport = values['hil-report'] ?? config.reports?.hil;
    if (hilReport)
      input.measured = [
        ...(input.measured ?? []),
        ...measuredFromHilReport(hilReport, input.modelBytes),
      ];
    const { report, markdown } = runGate(input);
    if (values.report) writeReport(values.report, GATE_REPORT_SCHEMA, report);
    if (values.json) io.stdout(JSON.stringify(report, null, 2));
    else io.stdout([...markdown.values()].join('\n\n'));
    return report.passed ? 0 : 1;
  },
};
