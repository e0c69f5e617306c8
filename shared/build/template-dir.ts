import * as fs from 'node:fs';
import * as path from 'node:path';

/** The firmware-template shipped with TinyOps: found by walking up from this code's location, so
 * it works from the sources, the bundled CLI (dist/cli) and an action's dist. */
export function defaultTemplateDir(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, 'firmware-template');
    if (fs.existsSync(path.join(candidate, 'CMakeLists.txt'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve('firmware-template');
    dir = parent;
  }
}
