import { createHash } from 'node:crypto';
import { readReport } from '../report/io';
import { TinyOpsError } from '../errors';
import { findBoard } from '../analyze/boards';
import { BUILD_REPORT_SCHEMA, type BuildReport } from '../build/build';
import { HIL_REPORT_SCHEMA, type HilReport } from '../hil/report';
import type { MeasuredFigures } from './run';

/** Measured flash and RAM from a cross-compile build report. */
export function measuredFromBuildReport(path: string): MeasuredFigures {
  const report = readReport<BuildReport>(path, BUILD_REPORT_SCHEMA, 'build');
  const basis = `${report.toolchain}, ELF of ${report.board} (${path})`;
  return {
    board: report.board,
    flash: { value: report.sizes.flash, source: 'measured', basis },
    ram: { value: report.sizes.ram, source: 'measured', basis },
  };
}

/**
 * Device accuracy and latency from a hil-test report. The accuracy applies to every target when
 * the device agreed with the host reference on every sample (the runtime is bit-exact, so any
 * board computes the same outputs); otherwise only to the board it ran on. Latency is always that
 * board's own. `modelBytes`, when given, refuses a report measured on another model.
 */
export function measuredFromHilReport(path: string, modelBytes?: Uint8Array): MeasuredFigures[] {
  const report = readReport<HilReport>(path, HIL_REPORT_SCHEMA, 'hil');
  if (modelBytes && report.model.sha256 !== createHash('sha256').update(modelBytes).digest('hex'))
    throw new TinyOpsError(
      'REPORT_MODEL',
      `${path} was measured on another model (${report.model.path}) than the one the gate checks`,
      {
        where: path,
        hint: 'Run hil-test on the same .tflite the gate checks, or leave out the stale report.',
      },
    );
  const on = `${report.board} (${report.backend}, ${report.dataset.samples} samples of ${report.dataset.path})`;
  const out: MeasuredFigures[] = [];
  const a = report.agreement;
  if (report.accuracy) {
    const everywhere = a.exact === a.samples;
    out.push({
      board: everywhere ? undefined : report.board,
      accuracy: {
        value: report.accuracy.device,
        source: 'measured',
        basis: everywhere
          ? `device top-1 on ${on}; every output equal to the host reference, so it holds for every target`
          : `device top-1 on ${on}; ${a.samples - a.exact} outputs differ from the host reference, so it holds for ${report.board} only`,
      },
    });
  }
  const l = report.latency;
  if (l?.estimatedMs) {
    const clock = findBoard(report.board).clockMhz;
    const median = `median of ${l.samples} inferences on ${on}`;
    const basis =
      l.unit === 'instructions'
        ? `QEMU instruction count × 1 CPI at ${clock} MHz, ${median}`
        : l.proxy
          ? `emulated ${l.unit}, not time on silicon, ${median}`
          : l.unit === 'cycles'
            ? `cycle counter at ${clock} MHz, ${median}`
            : `timed on the device, ${median}`;
    out.push({
      board: report.board,
      latencyMs: { value: l.estimatedMs.median, source: l.proxy ? 'estimated' : 'measured', basis },
    });
  }
  return out;
}
