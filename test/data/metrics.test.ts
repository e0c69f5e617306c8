import { TinyOpsError } from '../../shared/errors';
import {
  agreement,
  argmax,
  classificationReport,
  createProgress,
  errorStats,
  formatProgress,
  ProgressEvent,
} from '../../shared/data';

describe('metrics', () => {
  test('classification report: top-1, per class, confusion matrix', () => {
    const outputs = [
      [0.1, 0.9, 0],
      [0.8, 0.1, 0.1],
      [0.2, 0.3, 0.5],
      [0.6, 0.4, 0],
      [0, 0, 1],
    ];
    const preds = outputs.map(argmax);
    expect(preds).toEqual([1, 0, 2, 0, 2]);
    const r = classificationReport(preds, [1, 0, 1, 0, 2], 3, ['a', 'b', 'c']);
    expect(r.correct).toBe(4);
    expect(r.top1).toBeCloseTo(0.8);
    expect(r.confusion).toEqual([
      [2, 0, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    expect(r.perClass[1]).toEqual({ label: 1, name: 'b', total: 2, correct: 1, accuracy: 0.5 });
    expect(() => classificationReport([0], [3], 3)).toThrow(TinyOpsError);
    expect(() => classificationReport([0, 1], [0], 3)).toThrow(TinyOpsError);
  });

  test('agreement names the first mismatches by sample and index', () => {
    const a = [new Int8Array([1, 5, 2]), new Int8Array([9, 0, 0]), new Int8Array([3, 3, 4])];
    const b = [new Int8Array([1, 5, 2]), new Int8Array([8, 0, 1]), new Int8Array([3, 4, 3])];
    const r = agreement(a, b, 3);
    expect(r.exactAgreement).toBeCloseTo(1 / 3);
    expect(r.top1Agreement).toBeCloseTo(2 / 3);
    expect(r.mismatchedElements).toBe(4);
    expect(r.firstMismatches).toEqual([
      { sample: 1, index: 0, a: 9, b: 8 },
      { sample: 1, index: 2, a: 0, b: 1 },
      { sample: 2, index: 1, a: 3, b: 4 },
    ]);
    expect(() => agreement([new Int8Array(2)], [new Int8Array(3)])).toThrow(TinyOpsError);
  });

  test('error statistics', () => {
    const s = errorStats(
      [
        [1, 2],
        [3, 4],
      ],
      [
        [1, 2.5],
        [2, 4],
      ],
    );
    expect(s.count).toBe(4);
    expect(s.maxAbs).toBe(1);
    expect(s.meanAbs).toBeCloseTo(0.375);
    expect(s.rmse).toBeCloseTo(Math.sqrt(1.25 / 4));
    expect(s.sqnrDb).toBeCloseTo(10 * Math.log10(30 / 1.25));
    expect(errorStats([[1, 2]], [[1, 2]]).sqnrDb).toBe(Infinity);
  });

  test('progress is throttled and reports a rate', () => {
    let t = 0;
    const events: ProgressEvent[] = [];
    const p = createProgress(100, (e) => events.push(e), { intervalMs: 250, now: () => t });
    for (let i = 1; i <= 100; i++) {
      t += 10; // 10 ms per item -> 100 items/s
      p.update(i);
    }
    p.finish();
    // 1000 ms of updates at most every 250 ms, plus the final event.
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect(events.length).toBeLessThanOrEqual(6);
    const last = events[events.length - 1];
    expect(last.done).toBe(100);
    expect(last.rate).toBeCloseTo(100);
    expect(formatProgress('run', last)).toBe('run 100/100 (100%) 100.0/s');
  });
});
