import {
  prepareGate,
  loadGateConfig,
  GATE_REPORT_SCHEMA,
  type GateOptions,
} from '../../../shared/gate/prepare';
import { gateMarker, runGate, type FailOn } from '../../../shared/gate/run';
import { measuredFromBuildReport, measuredFromHilReport } from '../../../shared/gate/measured';
import { hostAccuracy } from '../../../shared/gate/accuracy';
import { writeReport } from '../../../shared/report/io';
import { TinyOpsError } from '../../../shared/errors';
import {
  annotate,
  booleanInput,
  failStep,
  info,
  input,
  inputGiven,
  listInput,
  optionalInput,
  runAction,
  setOutputs,
  writeSummary,
} from '../../../shared/github/action';
import {
  fileAtCommit,
  postSavedComments,
  pullRequest,
  upsertStickyComment,
} from '../../../shared/github/repo';

const FAIL_ON: FailOn[] = ['error', 'warning', 'never'];

void runAction(async () => {
  const token = input('token');
  const commentDir = input('comment-dir', 'tinyops-gate-comments');
  if (input('mode', 'gate') === 'post-saved-comments') {
    const posted = await postSavedComments(token, commentDir);
    info(
      posted.length
        ? posted.map((p) => `${p.file}: ${p.outcome}`).join('\n')
        : `no saved comments in ${commentDir}`,
    );
    return;
  }

  const failOn = input('fail-on', 'error') as FailOn;
  if (!FAIL_ON.includes(failOn))
    throw new TinyOpsError(
      'INPUT_INVALID',
      `Input "fail-on" must be one of ${FAIL_ON.join(', ')}, got "${failOn}"`,
      { hint: 'Use error, warning or never.' },
    );
  const options: GateOptions = {
    model: optionalInput('model'),
    configPath: input('config-file', 'tinyops.yml'),
    configRequired: inputGiven('config-file', 'tinyops.yml'),
    boards: listInput('board'),
    failOn,
    baselinePath: optionalInput('baseline'),
    budgets: Object.fromEntries(
      [
        'max-flash',
        'max-ram',
        'max-latency',
        'min-accuracy',
        'max-accuracy-drop',
        'headroom-warning',
      ]
        .map((k) => [k, optionalInput(k)])
        .filter(([, v]) => v !== undefined),
    ),
  };
  const config = loadGateConfig(options);
  const pr = pullRequest();
  const modelPath = options.model ?? config.model;
  if (pr && !options.baselinePath && !config.baseline && modelPath) {
    // The same model at the PR's base commit, read through the API: no deep checkout needed.
    const base = await fileAtCommit(token, pr.owner, pr.repo, modelPath, pr.baseSha);
    if (base)
      options.baseline = {
        kind: 'model',
        source: `${modelPath}@${pr.baseSha.slice(0, 7)}`,
        bytes: base,
      };
    else
      info(
        `${modelPath} does not exist at the base commit ${pr.baseSha.slice(0, 7)}: no baseline to compare against`,
      );
  }
  const gate = prepareGate(options, config);
  const dataset = optionalInput('dataset') ?? config.dataset?.path;
  const labels = optionalInput('labels') ?? config.dataset?.labels;
  if (dataset) {
    if (!labels)
      throw new TinyOpsError(
        'INPUT_INVALID',
        'Input "dataset" needs "labels" (one class label per sample)',
        { hint: 'Add labels: path/to/labels.npy.' },
      );
    gate.accuracy = hostAccuracy(gate.model, dataset, labels, config.dataset?.limit);
  }
  const buildReport = optionalInput('build-report') ?? config.reports?.build;
  const hilReport = optionalInput('hil-report') ?? config.reports?.hil;
  gate.measured = [
    ...(buildReport ? [measuredFromBuildReport(buildReport)] : []),
    ...(hilReport ? measuredFromHilReport(hilReport, gate.modelBytes) : []),
  ];

  const { report, markdown } = runGate(gate);
  const reportPath = input('report-path', 'tinyops-gate-report.json');
  writeReport(reportPath, GATE_REPORT_SCHEMA, report);
  await writeSummary([...markdown.values()].join('\n\n'));

  for (const target of report.targets) {
    for (const check of target.checks.filter((c) => c.status === 'fail' || c.status === 'warn')) {
      annotate(
        check.status === 'fail' ? 'error' : 'warning',
        `${target.target}: ${check.label}: ${check.message}`,
        gate.modelPath,
        'TinyOps constraint gate',
      );
    }
  }
  if (pr && booleanInput('comment', true)) {
    for (const [target, body] of markdown) {
      const outcome = await upsertStickyComment(token, pr, gateMarker(target), body, commentDir);
      info(
        `PR comment for ${target}: ${outcome}${outcome === 'saved' ? ` (read-only token, e.g. a fork PR: saved in ${commentDir} for the follow-up workflow)` : ''}`,
      );
    }
  }
  const first = report.targets[0];
  const figure = (id: string) => first?.checks.find((c) => c.id === id)?.figure?.value;
  setOutputs({
    passed: report.passed,
    'flash-bytes': figure('flash'),
    'ram-bytes': figure('ram'),
    'latency-ms': figure('latency')?.toFixed(3),
    accuracy: figure('accuracy'),
    'report-path': reportPath,
  });
  if (!report.passed) {
    const failed = report.targets.filter((t) => !t.passed).map((t) => t.target);
    failStep(
      `The model does not meet its budgets on ${failed.join(', ')} (fail-on: ${failOn}); see the job summary.`,
    );
  }
});
