// `npm run fixtures`: regenerates action-fixtures/ (the digits CNN, float and int8, and its data).
import * as path from 'node:path';
import { makeFixtures } from './fixtures/make';

const out = path.resolve(process.argv[2] ?? 'action-fixtures');
const t0 = Date.now();
const summary = makeFixtures(out);
console.log(
  `wrote ${summary.files.join(', ')} in ${out} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
);
console.log(
  `validation (${summary.validationSamples} held-out digits): float ${(summary.floatAccuracy * 100).toFixed(1)}%, ` +
    `int8 ${(summary.int8Accuracy * 100).toFixed(1)}%, top-1 agreement ${(summary.agreement * 100).toFixed(1)}%`,
);
