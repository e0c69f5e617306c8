import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Writes files so that a reader never sees partial output: each file is written to a temporary
 * name beside its target and renamed into place only after every file of the set was written.
 * On any failure the temporaries are removed and no target is touched.
 */
export function writeFilesAtomic(
  files: ReadonlyArray<{ path: string; data: string | Uint8Array }>,
): void {
  const staged: Array<{ tmp: string; target: string }> = [];
  try {
    for (const file of files) {
      fs.mkdirSync(path.dirname(file.path), { recursive: true });
      const tmp = path.join(
        path.dirname(file.path),
        `.${path.basename(file.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
      );
      staged.push({ tmp, target: file.path });
      fs.writeFileSync(tmp, file.data);
    }
    for (const { tmp, target } of staged) fs.renameSync(tmp, target);
  } catch (err) {
    for (const { tmp } of staged) fs.rmSync(tmp, { force: true });
    throw err;
  }
}

export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  writeFilesAtomic([{ path: target, data }]);
}
