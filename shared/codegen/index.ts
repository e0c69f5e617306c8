import * as path from 'node:path';
import { loadModelFile } from '../tflite/load';
import { writeFilesAtomic } from '../fsutil/atomic';
import { generateC, type CodegenOptions, type CodegenResult } from './generate';

export { generateC, type CodegenOptions, type CodegenResult } from './generate';
export { xxdName, identifierFromFile } from './names';

/** Reads a .tflite, generates the C files and writes them into outDir, all or nothing. */
export function tfliteToC(
  modelPath: string,
  outDir: string,
  options: Omit<CodegenOptions, 'sourceName'> = {},
): CodegenResult & { paths: string[] } {
  const { bytes } = loadModelFile(modelPath);
  const result = generateC(bytes, { ...options, sourceName: path.basename(modelPath) });
  const paths = result.files.map((f) => path.join(outDir, f.name));
  writeFilesAtomic(result.files.map((f, i) => ({ path: paths[i], data: f.content })));
  return { ...result, paths };
}
