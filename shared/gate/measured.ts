import { readReport } from '../report/io';
import { BUILD_REPORT_SCHEMA, type BuildReport } from '../build/build';
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
