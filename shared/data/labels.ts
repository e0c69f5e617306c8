/**
 * Label files: a 1-D integer labels.npy, or a text file with one label per line. A text line is
 * either a bare label (integer or class name) in sample order, or CSV keyed by the sample's file
 * name: `name,label` or the MLPerf Tiny form `name,num_classes,label[,...]`.
 */
import * as path from 'node:path';
import { TinyOpsError } from '../errors';
import { readFileChecked, readNpyFile } from './npy';

export interface LabelFile {
  /** Labels in sample order, when the file is not keyed by name. */
  ordered?: number[];
  /** Label per sample file name (basename), for CSV files keyed by name. */
  byName?: Map<string, number>;
  /** Class names, when the file gives names rather than integers (sorted, index = label). */
  classNames?: string[];
}

export function readLabelFile(file: string): LabelFile {
  if (file.toLowerCase().endsWith('.npy')) {
    const arr = readNpyFile(file);
    if (arr.shape.length !== 1 && !(arr.shape.length === 2 && arr.shape[1] === 1)) {
      throw new TinyOpsError(
        'DATASET_LABELS',
        `${file}: labels must be a 1-D array, found shape [${arr.shape.join(', ')}]`,
        {
          where: file,
          hint: 'Save the class indices as a 1-D integer array: numpy.save(path, y.astype(numpy.int32)).',
        },
      );
    }
    return { ordered: Array.from(arr.data, (v, i) => checkLabel(v, `${file}[${i}]`)) };
  }
  return parseLabelText(new TextDecoder().decode(readFileChecked(file)), file);
}

export function parseLabelText(text: string, source: string): LabelFile {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length > 0 && lines[0].includes(',')) {
    const byName = new Map<string, number>();
    lines.forEach((line, i) => {
      const cols = line.split(',').map((c) => c.trim());
      const col = cols.length === 2 ? 1 : 2;
      if (cols.length < 2 || /^-?\d+$/.test(cols[0])) {
        throw new TinyOpsError(
          'DATASET_LABELS',
          `${source}:${i + 1}: expected 'file_name,label' or 'file_name,num_classes,label', found '${line}'`,
          { where: `${source}:${i + 1}` },
        );
      }
      byName.set(path.basename(cols[0]), checkLabel(Number(cols[col]), `${source}:${i + 1}`));
    });
    return { byName };
  }
  if (lines.every((l) => /^-?\d+$/.test(l))) {
    return { ordered: lines.map((l, i) => checkLabel(Number(l), `${source}:${i + 1}`)) };
  }
  const classNames = [...new Set(lines)].sort();
  return { ordered: lines.map((l) => classNames.indexOf(l)), classNames };
}

export function checkLabel(v: number, where: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
    throw new TinyOpsError(
      'DATASET_LABELS',
      `label ${v} at ${where} is not a non-negative integer class index`,
      {
        where,
        hint: 'Labels are class indices 0..N-1 (or class names in a labels.txt).',
      },
    );
  }
  return v;
}
