import { analyzeModel, withOfflinePlan } from '../../analyze';
import { formatAnalysis } from '../../analyze/format';
import { writeFileAtomic } from '../../fsutil/atomic';
import { loadModelFile, writeModel } from '../../tflite';
import { parseCommandLine } from '../args';
import type { CliCommand } from '../types';

/** `tinyops analyze MODEL [--board B] [--json] [--write-plan OUT.tflite]`: cost, memory plan,
 * op support and fit; optionally a copy of the model carrying the plan as TFLite Micro's
 * OfflineMemoryAllocation metadata. */
export const analyzeCommand: CliCommand = {
  summary: 'Per-op cost, arena plan vs lower bound and TFLite Micro, op support, fit per board',
  usage: 'tinyops analyze MODEL [--board BOARD] [--json] [--write-plan OUT.tflite]',
  async run(args, io) {
    const { values, positionals } = parseCommandLine(
      args,
      { board: { type: 'string' }, json: { type: 'boolean' }, 'write-plan': { type: 'string' } },
      { min: 1, max: 1, names: 'MODEL' },
    );
    const path = positionals[0];
    const { model, bytes } = loadModelFile(path);
    const report = analyzeModel(model, bytes.length, { board: values.board, source: path });
    const planOut = values['write-plan'];
    if (planOut !== undefined)
      writeFileAtomic(planOut, writeModel(withOfflinePlan(model, report.memory.offlineAllocation)));
    io.stdout(
      values.json
        ? JSON.stringify({ ok: true, ...report, planWrittenTo: planOut ?? null }, null, 2)
        : `${formatAnalysis(report)}${planOut !== undefined ? `\nWrote the model with the arena plan as OfflineMemoryAllocation metadata: ${planOut}` : ''}`,
    );
    return 0;
  },
};
