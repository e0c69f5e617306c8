import * as path from 'node:path';
import { buildFirmware } from '../../../shared/build/build';
import { defaultTemplateDir } from '../../../shared/build/template-dir';
import { renderBuildSummary } from '../../../shared/build/summary';
import { parseSize } from '../../../shared/config/units';
import {
  addProblemMatcher,
  booleanInput,
  info,
  input,
  integerInput,
  optionalInput,
  runAction,
  setOutputs,
  writeSummary,
} from '../../../shared/github/action';
import { ensureToolchain } from '../../../shared/github/toolchain';

void runAction(async () => {
  addProblemMatcher(path.join(__dirname, '..', 'gcc-matcher.json'));
  await ensureToolchain(booleanInput('install-toolchain', true));
  const flash = optionalInput('flash');
  const ram = optionalInput('ram');
  const outDir = input('out-dir', 'tinyops-build');
  const report = await buildFirmware({
    board: input('board', 'qemu-mps2-an386'),
    modelPath: optionalInput('model'),
    outDir,
    templateDir: optionalInput('template') ?? defaultTemplateDir(__dirname),
    buildCommand: optionalInput('build-command'),
    elfPath: optionalInput('elf'),
    capacity:
      flash && ram ? { flash: parseSize(flash, 'flash'), ram: parseSize(ram, 'ram') } : undefined,
    arenaSize: integerInput('arena', 0) || undefined,
    onLine: info,
  });
  setOutputs({
    elf: report.artifacts.elf,
    bin: report.artifacts.bin,
    hex: report.artifacts.hex,
    'report-path': path.join(outDir, 'build-report.json'),
    'flash-bytes': report.sizes.flash,
    'ram-bytes': report.sizes.ram,
    'arena-bytes': report.arenaBytes,
  });
  await writeSummary(renderBuildSummary(report));
});
