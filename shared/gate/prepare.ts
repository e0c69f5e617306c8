import * as fs from 'node:fs';
import { loadModelFile } from '../tflite/load';
import { TinyOpsError } from '../errors';
import { loadConfigFile, type BudgetsFile, type TinyOpsConfigFile } from '../config/tinyops-yml';
import { readReport } from '../report/io';
import GATE_REPORT_SCHEMA from '../../schemas/gate-report.schema.json';
import { resolveTargets } from './targets';
import type { Baseline, FailOn, GateInput, GateReport } from './run';

/** The gate's options as the CLI and the action both give them (inputs override tinyops.yml). */
export interface GateOptions {
  model?: string;
  configPath?: string;
  /** Whether a missing config file is an error (it is when the user named one). */
  configRequired?: boolean;
  boards?: string[];
  budgets?: BudgetsFile;
  failOn?: FailOn;
  /** A baseline .tflite or gate-report.json on disk. */
  baselinePath?: string;
  /** A baseline already fetched (e.g. the model at the PR's base commit, through the API). */
  baseline?: Baseline;
}

export const DEFAULT_CONFIG = 'tinyops.yml';

export function loadGateConfig(options: GateOptions): TinyOpsConfigFile {
  const path = options.configPath ?? DEFAULT_CONFIG;
  if (!options.configRequired && !fs.existsSync(path)) return {};
  return loadConfigFile(path);
}

/** Reads a baseline file: a gate report (JSON) or a model (.tflite). */
export function loadBaselineFile(path: string): Baseline {
  if (!fs.existsSync(path))
    throw new TinyOpsError('BASELINE_NOT_FOUND', `Baseline not found: ${path}`, {
      hint: 'Give a .tflite model or a gate-report.json from an earlier run, or leave baseline empty to use the base commit on pull requests.',
    });
  if (path.endsWith('.json'))
    return {
      kind: 'report',
      source: path,
      report: readReport<GateReport>(path, GATE_REPORT_SCHEMA, 'gate'),
    };
  return { kind: 'model', source: path, bytes: loadModelFile(path).bytes };
}

/** Everything the gate needs, from the options and tinyops.yml. */
export function prepareGate(
  options: GateOptions,
  config: TinyOpsConfigFile = loadGateConfig(options),
): GateInput {
  const modelPath = options.model ?? config.model;
  if (!modelPath)
    throw new TinyOpsError('GATE_NO_MODEL', 'No model given', {
      hint: 'Give the model path (action input `model`, CLI argument MODEL) or `model:` in tinyops.yml.',
    });
  const { model, bytes } = loadModelFile(modelPath);
  const targets = resolveTargets(config, { boards: options.boards, budgets: options.budgets });
  const baselinePath = options.baselinePath ?? config.baseline;
  return {
    config,
    modelPath,
    modelBytes: bytes,
    model,
    targets,
    failOn: options.failOn ?? config['fail-on'] ?? 'error',
    baseline: options.baseline ?? (baselinePath ? loadBaselineFile(baselinePath) : undefined),
  };
}

export { GATE_REPORT_SCHEMA };
