import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIRMWARE_DIR, SANITIZE_FLAGS, haveTool } from './helpers';

/** The runtime derives every conv, depthwise and FC multiplier in integer arithmetic (no software
 * double on the Cortex-M4F, every inference); it must give TFLite Micro's double-precision result
 * exactly. firmware-template/host/check_multiplier.c compares both over random floats and the
 * exact ties of both roundings, built with the sanitizers. */

const describeGcc = haveTool('gcc') ? describe : describe.skip;

describeGcc('integer multiplier derivation', () => {
  test('equals the double expression a * b / c on 2M random scale triples and their ties', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tor-mult-'));
    try {
      const exe = path.join(dir, 'check_multiplier');
      execFileSync(
        'gcc',
        [
          ...SANITIZE_FLAGS.map((f) => (f === '-O1' ? '-O2' : f)),
          `-I${path.join(FIRMWARE_DIR, 'runtime')}`,
          '-o',
          exe,
          path.join(FIRMWARE_DIR, 'host', 'check_multiplier.c'),
          path.join(FIRMWARE_DIR, 'runtime', 'fixedpoint.c'),
          '-lm',
        ],
        { stdio: 'pipe' },
      );
      const run = spawnSync(exe, ['2000000'], { encoding: 'utf8' });
      expect(run.stdout).toMatch(/^0 differ of 2000000 samples and 40001 ties$/m);
      expect(run.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
