import {
  INT32_MAX,
  INT32_MIN,
  calculateInputRadius,
  expOnNegativeValues,
  frexp,
  getReciprocal,
  logisticFixed,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundHalfAway,
  roundingDivideByPOT,
  srdhm,
} from '../../shared/interp/fixedpoint';

/** The same operations written directly on 64-bit integers, as the C code reads. */
function srdhmBig(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, as C does
}

function rdbpotBig(x: number, e: number): number {
  const mask = (1n << BigInt(e)) - 1n;
  const bx = BigInt(x);
  const remainder = bx & mask;
  const threshold = (mask >> 1n) + (bx < 0n ? 1n : 0n);
  return Number((bx >> BigInt(e)) + (remainder > threshold ? 1n : 0n));
}

/** A deterministic stream of int32 values with the edges mixed in. */
function* int32s(n: number, seed = 12345): Generator<number> {
  const edges = [
    0,
    1,
    -1,
    INT32_MAX,
    INT32_MIN,
    INT32_MIN + 1,
    1 << 30,
    -(1 << 30),
    65535,
    -65536,
    32768,
  ];
  yield* edges;
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    const hi = s;
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    // Mix magnitudes: full-range values and small ones.
    yield i % 3 === 0 ? hi : i % 3 === 1 ? hi >> 16 : (hi ^ (s >>> 7)) | 0;
  }
}

describe('roundHalfAway (TfLiteRound)', () => {
  test('halves go away from zero, unlike Math.round', () => {
    expect(roundHalfAway(2.5)).toBe(3);
    expect(roundHalfAway(-2.5)).toBe(-3);
    expect(roundHalfAway(-0.5)).toBe(-1);
    expect(roundHalfAway(0.5)).toBe(1);
    expect(roundHalfAway(-1.4)).toBe(-1);
    expect(roundHalfAway(0.49999999999999994)).toBe(0);
    expect(Object.is(roundHalfAway(-0.2), 0)).toBe(true);
  });
});

describe('frexp', () => {
  test('mantissa in [0.5, 1) and exact reconstruction', () => {
    for (const x of [
      1,
      0.5,
      0.75,
      3,
      1e-12,
      123456.789,
      -0.3,
      2 ** -1070,
      1.7976931348623157e308,
    ]) {
      const { mantissa, exponent } = frexp(x);
      expect(Math.abs(mantissa)).toBeGreaterThanOrEqual(0.5);
      expect(Math.abs(mantissa)).toBeLessThan(1);
      expect(mantissa * 2 ** Math.min(exponent, 1000) * 2 ** Math.max(exponent - 1000, 0)).toBe(x);
    }
    expect(frexp(1)).toEqual({ mantissa: 0.5, exponent: 1 });
    expect(frexp(0)).toEqual({ mantissa: 0, exponent: 0 });
  });
});

describe('quantizeMultiplier', () => {
  test('powers of two and zero', () => {
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 1 << 30, shift: 1 });
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 1 << 30, shift: 0 });
    expect(quantizeMultiplier(0.25)).toEqual({ multiplier: 1 << 30, shift: -1 });
  });

  test('a mantissa that rounds up to 2^31 renormalises to 2^30 and one more shift', () => {
    // 1 - 2^-40 has frexp mantissa just below 1; q * 2^31 rounds to 2^31.
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 1 << 30, shift: 1 });
  });

  test('0.1: round(0.8 * 2^31) with shift -3', () => {
    expect(quantizeMultiplier(0.1)).toEqual({ multiplier: Math.round(0.8 * 2 ** 31), shift: -3 });
    expect(quantizeMultiplier(0.1).multiplier).toBe(1717986918);
  });

  test('multipliers below 2^-31 flush to zero', () => {
    expect(quantizeMultiplier(2 ** -33)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(2 ** -32)).toEqual({ multiplier: 1 << 30, shift: -31 });
  });

  test('the multiplier reconstructs the real value to 31 bits', () => {
    for (const real of [0.0001234, 0.003921568859368563, 0.7, 1.5, 37.25, 12345.678]) {
      const { multiplier, shift } = quantizeMultiplier(real);
      expect(multiplier).toBeGreaterThanOrEqual(1 << 30);
      expect(multiplier).toBeLessThanOrEqual(INT32_MAX);
      expect(Math.abs(multiplier * 2 ** (shift - 31) - real) / real).toBeLessThan(2 ** -30);
    }
  });
});

describe('SaturatingRoundingDoublingHighMul', () => {
  test('matches 64-bit integer arithmetic on edge and random values', () => {
    const values = [...int32s(400)];
    for (const a of values)
      for (const b of values.slice(0, 60)) expect(srdhm(a, b)).toBe(srdhmBig(a, b));
  });

  test('saturates INT32_MIN squared; ties round toward +infinity (the nudge is 1 - 2^30 below 0)', () => {
    expect(srdhm(INT32_MIN, INT32_MIN)).toBe(INT32_MAX);
    // 3 * 2^30 / 2^31 = 1.5 -> 2, but -1.5 -> -1
    expect(srdhm(3, 1 << 30)).toBe(2);
    expect(srdhm(-3, 1 << 30)).toBe(-1);
    expect(srdhm(1, 1 << 30)).toBe(1); // 0.5 -> 1
    expect(srdhm(-1, 1 << 30)).toBe(0); // -0.5 -> 0
    expect(srdhm(INT32_MIN, INT32_MAX)).toBe(-INT32_MAX);
  });
});

describe('RoundingDivideByPOT', () => {
  test('hand-computed halves and remainders', () => {
    expect(roundingDivideByPOT(5, 1)).toBe(3); // 2.5 -> 3
    expect(roundingDivideByPOT(-5, 1)).toBe(-3); // -2.5 -> -3
    expect(roundingDivideByPOT(-3, 1)).toBe(-2); // -1.5 -> -2
    expect(roundingDivideByPOT(-1, 1)).toBe(-1); // -0.5 -> -1
    expect(roundingDivideByPOT(-6, 2)).toBe(-2); // -1.5 -> -2
    expect(roundingDivideByPOT(-5, 2)).toBe(-1); // -1.25 -> -1
    expect(roundingDivideByPOT(7, 0)).toBe(7);
    expect(roundingDivideByPOT(INT32_MAX, 31)).toBe(1);
    expect(roundingDivideByPOT(INT32_MIN, 31)).toBe(-1);
  });

  test('matches integer arithmetic for every shift', () => {
    for (const x of int32s(300))
      for (let e = 0; e <= 31; e++) expect(roundingDivideByPOT(x, e)).toBe(rdbpotBig(x, e));
  });
});

describe('MultiplyByQuantizedMultiplier', () => {
  test('double rounding: high multiply, then rounding shift', () => {
    const half = quantizeMultiplier(0.5); // 2^30, shift 0: only the high multiply rounds
    expect(multiplyByQuantizedMultiplier(5, half.multiplier, half.shift)).toBe(3); // 2.5 -> 3
    expect(multiplyByQuantizedMultiplier(-5, half.multiplier, half.shift)).toBe(-2); // -2.5 -> -2
    const quarter = quantizeMultiplier(0.25); // 2^30, shift -1
    // 5 * 0.25 = 1.25, yet 2: 5 * 0.5 rounds to 3, then 3 / 2 = 1.5 rounds to 2.
    expect(multiplyByQuantizedMultiplier(5, quarter.multiplier, quarter.shift)).toBe(2);
    // -5 * 0.25: -2.5 -> -2, then -1 -> -1.
    expect(multiplyByQuantizedMultiplier(-5, quarter.multiplier, quarter.shift)).toBe(-1);
    expect(multiplyByQuantizedMultiplier(-6, quarter.multiplier, quarter.shift)).toBe(-2); // -3 / 2 = -1.5 -> -2
    const third = quantizeMultiplier(1 / 3);
    expect(multiplyByQuantizedMultiplier(3000, third.multiplier, third.shift)).toBe(1000);
    // A left shift: x * 4.
    const four = quantizeMultiplier(4);
    expect(four.shift).toBe(3);
    expect(multiplyByQuantizedMultiplier(-123, four.multiplier, four.shift)).toBe(-492);
  });

  test('matches the composition computed with BigInt', () => {
    for (const real of [0.000123, 0.0078125, 0.3, 0.99999, 2.5]) {
      const { multiplier, shift } = quantizeMultiplier(real);
      for (const x of int32s(200, 99)) {
        const small = x >> 8; // accumulator-sized values
        const left = shift > 0 ? shift : 0;
        const want = rdbpotBig(
          srdhmBig(Math.imul(small, 1 << left), multiplier),
          shift > 0 ? 0 : -shift,
        );
        expect(multiplyByQuantizedMultiplier(small, multiplier, shift)).toBe(want);
      }
    }
  });
});

describe('gemmlowp fixed-point functions', () => {
  test('exp_on_negative_values: exp(0) is one, values track Math.exp', () => {
    expect(expOnNegativeValues(0, 5)).toBe(INT32_MAX);
    for (const x of [-0.001, -0.125, -0.25, -0.6, -1, -2.75, -7.5, -15]) {
      const raw = Math.round(x * 2 ** 26); // Q5.26
      expect(expOnNegativeValues(raw, 5) / 2 ** 31).toBeCloseTo(Math.exp(x), 6);
    }
  });

  test('logistic: 1/2 at 0, symmetric, close to the sigmoid', () => {
    expect(logisticFixed(0, 4)).toBe(1 << 30);
    for (const x of [0.01, 0.5, 1, 3, 7.9]) {
      const raw = Math.round(x * 2 ** 27); // Q4.27
      const pos = logisticFixed(raw, 4) / 2 ** 31;
      const neg = logisticFixed(-raw, 4) / 2 ** 31;
      expect(pos).toBeCloseTo(1 / (1 + Math.exp(-x)), 6);
      expect(pos + neg).toBeCloseTo(1, 8);
    }
  });

  test('GetReciprocal: 1/x with the bits over one reported', () => {
    // x = 3.0 in Q12.19: 1/3 = 0.6667 * 2^-1 -> one bit over unit.
    const { value, numBitsOverUnit } = getReciprocal(3 * 2 ** 19, 12);
    expect(numBitsOverUnit).toBe(1);
    expect(value / 2 ** 31 / 2 ** numBitsOverUnit).toBeCloseTo(1 / 3, 8);
  });

  test('CalculateInputRadius', () => {
    // (2^5 - 1) * 2^26 / 2^20 = 1984
    expect(calculateInputRadius(5, 20)).toBe(1984);
    expect(calculateInputRadius(4, 27)).toBe(Math.floor((15 * 2 ** 27) / 2 ** 27));
  });
});
