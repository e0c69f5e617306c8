/**
 * Evaluation metrics over model outputs: classification accuracy (top-1, per class, confusion
 * matrix), agreement between two models' outputs, and per-output error statistics.
 */
import { TinyOpsError } from '../errors';

/** Index of the largest value (the first one on ties, as numpy.argmax). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export interface ClassificationReport {
  total: number;
  correct: number;
  top1: number;
  /** matrix[label][prediction] = count. */
  confusion: number[][];
  perClass: Array<{
    label: number;
    name?: string;
    total: number;
    correct: number;
    accuracy: number | null;
  }>;
}

/** Top-1 accuracy, per-class accuracy and the confusion matrix from predicted and true class indices. */
export function classificationReport(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  classNames?: readonly string[],
): ClassificationReport {
  if (predictions.length !== labels.length) {
    throw new TinyOpsError(
      'METRICS_INPUT',
      `${predictions.length} predictions for ${labels.length} labels`,
      { hint: 'Run the model on every labelled sample.' },
    );
  }
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    const p = predictions[i];
    if (l < 0 || l >= numClasses || p < 0 || p >= numClasses) {
      throw new TinyOpsError(
        'METRICS_INPUT',
        `sample ${i}: label ${l} / prediction ${p} outside 0..${numClasses - 1}`,
        {
          hint: 'Labels must be class indices in the model output order.',
        },
      );
    }
    confusion[l][p]++;
    if (l === p) correct++;
  }
  const perClass = confusion.map((row, label) => {
    const total = row.reduce((a, b) => a + b, 0);
    return {
      label,
      name: classNames?.[label],
      total,
      correct: row[label],
      accuracy: total ? row[label] / total : null,
    };
  });
  return {
    total: labels.length,
    correct,
    top1: labels.length ? correct / labels.length : 0,
    confusion,
    perClass,
  };
}

export interface Mismatch {
  sample: number;
  /** Element index within the output. */
  index: number;
  a: number;
  b: number;
}

export interface AgreementReport {
  samples: number;
  /** Fraction of samples where both models pick the same class. */
  top1Agreement: number;
  /** Fraction of samples whose outputs are identical byte for byte. */
  exactAgreement: number;
  /** The first differing elements, in sample then element order. */
  firstMismatches: Mismatch[];
  mismatchedElements: number;
}

/**
 * Compares two models' outputs sample by sample. `a[i]` and `b[i]` are the same output of both
 * models for sample i (typed arrays of the same type, so equal values mean equal bytes).
 */
export function agreement(
  a: ReadonlyArray<ArrayLike<number>>,
  b: ReadonlyArray<ArrayLike<number>>,
  maxMismatches = 10,
): AgreementReport {
  if (a.length !== b.length) {
    throw new TinyOpsError('METRICS_INPUT', `cannot compare ${a.length} outputs with ${b.length}`, {
      hint: 'Run both models on the same samples.',
    });
  }
  let top1 = 0;
  let exact = 0;
  let mismatchedElements = 0;
  const firstMismatches: Mismatch[] = [];
  for (let s = 0; s < a.length; s++) {
    if (a[s].length !== b[s].length) {
      throw new TinyOpsError(
        'METRICS_INPUT',
        `sample ${s}: outputs have ${a[s].length} and ${b[s].length} elements`,
        { hint: 'Compare the same output tensor of both models.' },
      );
    }
    if (argmax(a[s]) === argmax(b[s])) top1++;
    let same = true;
    for (let i = 0; i < a[s].length; i++) {
      // Object.is keeps -0/+0 and NaN payload-free differences visible as they are in the bytes.
      if (!Object.is(a[s][i], b[s][i])) {
        same = false;
        mismatchedElements++;
        if (firstMismatches.length < maxMismatches)
          firstMismatches.push({ sample: s, index: i, a: a[s][i], b: b[s][i] });
      }
    }
    if (same) exact++;
  }
  const n = a.length;
  return {
    samples: n,
    top1Agreement: n ? top1 / n : 1,
    exactAgreement: n ? exact / n : 1,
    firstMismatches,
    mismatchedElements,
  };
}

export interface ErrorStats {
  count: number;
  maxAbs: number;
  meanAbs: number;
  rmse: number;
  /** 10·log10(Σref² / Σ(ref−test)²); Infinity when identical. */
  sqnrDb: number;
}

/** Error of `test` against `ref` over all elements of all samples (dequantize both first for int outputs). */
export function errorStats(
  ref: ReadonlyArray<ArrayLike<number>>,
  test: ReadonlyArray<ArrayLike<number>>,
): ErrorStats {
  if (ref.length !== test.length) {
    throw new TinyOpsError(
      'METRICS_INPUT',
      `cannot compare ${ref.length} outputs with ${test.length}`,
    );
  }
  let count = 0,
    maxAbs = 0,
    sumAbs = 0,
    sumSq = 0,
    sumRef = 0;
  for (let s = 0; s < ref.length; s++) {
    if (ref[s].length !== test[s].length) {
      throw new TinyOpsError(
        'METRICS_INPUT',
        `sample ${s}: outputs have ${ref[s].length} and ${test[s].length} elements`,
      );
    }
    for (let i = 0; i < ref[s].length; i++) {
      const r = ref[s][i];
      const d = test[s][i] - r;
      const ad = Math.abs(d);
      if (ad > maxAbs) maxAbs = ad;
      sumAbs += ad;
      sumSq += d * d;
      sumRef += r * r;
      count++;
    }
  }
  const sqnrDb =
    sumSq === 0 ? Infinity : sumRef === 0 ? -Infinity : 10 * Math.log10(sumRef / sumSq);
  return {
    count,
    maxAbs,
    meanAbs: count ? sumAbs / count : 0,
    rmse: count ? Math.sqrt(sumSq / count) : 0,
    sqnrDb,
  };
}
