// Bundles every action's src/main.ts into its committed dist/index.js, and the CLI into
// dist/cli/index.js. Output is deterministic so a test can tell a stale dist from a fresh one.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The esbuild options shared by every bundle (exported for the staleness test). */
export function bundleOptions(entry, outfile) {
  return {
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    // The wasm backend and other optional native pieces are resolved at run time when present.
    external: ['*.node'],
  };
}

export function bundleTargets() {
  const targets = [{ entry: 'shared/cli/entry.ts', outfile: 'dist/cli/index.js' }];
  const actionsDir = path.join(root, 'actions');
  if (fs.existsSync(actionsDir)) {
    for (const name of fs.readdirSync(actionsDir).sort()) {
      const entry = path.join('actions', name, 'src', 'main.ts');
      if (fs.existsSync(path.join(root, entry)))
        targets.push({ entry, outfile: path.join('actions', name, 'dist', 'index.js') });
    }
  }
  return targets;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { entry, outfile } of bundleTargets()) {
    await esbuild.build(bundleOptions(entry, outfile));
    console.log(`built ${outfile}`);
  }
}
