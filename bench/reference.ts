import * as fs from 'node:fs';
import * as path from 'node:path';

/** ../shared/reference-models beside the repo, or null when absent (benchmarks then say so). */
export const REFERENCE_DIR =
  process.env.TINYOPS_REFERENCE_DIR ?? path.resolve(process.cwd(), '../shared/reference-models');
export const HAVE_REFERENCE = fs.existsSync(REFERENCE_DIR);

export function referenceModels(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.tflite')) out.push(full);
    }
  };
  if (HAVE_REFERENCE) walk(REFERENCE_DIR);
  return out.sort();
}
