import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

test('every committed dist equals a fresh build of its sources', () => {
  const result = spawnSync(
    process.execPath,
    [path.resolve(__dirname, '../scripts/check-dist.mjs')],
    { encoding: 'utf8' },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
});
