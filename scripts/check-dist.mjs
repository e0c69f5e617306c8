// Exits 1 and names every committed bundle that differs from a fresh build of its sources
// (built in memory: nothing on disk changes).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleOptions, bundleTargets } from './build.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const stale = [];
for (const { entry, outfile } of bundleTargets()) {
  const result = await esbuild.build({ ...bundleOptions(entry, outfile), write: false });
  const fresh = result.outputFiles[0].contents;
  const file = path.join(root, outfile);
  const committed = fs.existsSync(file) ? fs.readFileSync(file) : null;
  if (!committed || Buffer.compare(Buffer.from(fresh), committed) !== 0) stale.push(outfile);
}
if (stale.length) {
  console.error(`stale bundles (run \`npm run build\` and commit): ${stale.join(', ')}`);
  process.exit(1);
}
console.log('every dist is fresh');
