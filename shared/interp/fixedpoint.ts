/**
 * Integer fixed-point arithmetic as TFLite Micro's reference kernels do it (gemmlowp's
 * fixedpoint.h and TFLite's quantization_util/common), so that int8 results match bit for bit.
 *
 * All values are JavaScript numbers holding int32 values. Where C multiplies two int32 values into
 * an int64, the product is split so every intermediate stays an exact double (below 2^53).
 */

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
const TWO_31 = 2147483648;

/** std::round / TfLiteRound: halves away from zero (Math.round sends -2.5 to -2). */
export function roundHalfAway(x: number): number {
  const t = Math.trunc(x);
  const f = x - t; // exact: x and t share their high bits
  if (f >= 0.5) return t + 1;
  if (f <= -0.5) return t - 1;
  return t === 0 ? 0 : t; // no -0
}

/** std::frexp: x = mantissa * 2^exponent with 0.5 <= |mantissa| < 1 (0 gives 0, 0). */
export function frexp(x: number): { mantissa: number; exponent: number } {
  if (x === 0 || !Number.isFinite(x)) return { mantissa: x, exponent: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  let biased = (view.getUint16(0) >> 4) & 0x7ff;
  let scaled = x;
  let extra = 0;
  if (biased === 0) {
    // Subnormal: scale into the normal range first.
    scaled = x * 2 ** 64;
    extra = -64;
    view.setFloat64(0, scaled);
    biased = (view.getUint16(0) >> 4) & 0x7ff;
  }
  const exponent = biased - 1022;
  // Set the exponent field to 1022 (a value in [0.5, 1)) keeping sign and fraction.
  const hi = view.getUint16(0);
  view.setUint16(0, (hi & 0x800f) | (1022 << 4));
  return { mantissa: view.getFloat64(0), exponent: exponent + extra };
}

/** A real multiplier as TFLite stores it: value ~= multiplier * 2^(shift - 31). */
export interface QuantizedMultiplier {
  multiplier: number;
  shift: number;
}

/** QuantizeMultiplier (quantization_util.cc, double-rounding build): the int32 significand of
 * frexp(m) rounded to 31 fractional bits, and the exponent; below 2^-31 flushes to zero. */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (real === 0) return { multiplier: 0, shift: 0 };
  const { mantissa, exponent } = frexp(real);
  let qFixed = roundHalfAway(mantissa * TWO_31);
  let shift = exponent;
  if (qFixed > TWO_31) throw new RangeError(`quantizeMultiplier: ${real} does not fit`);
  if (qFixed === TWO_31) {
    qFixed /= 2;
    shift += 1;
  }
  if (shift < -31) {
    shift = 0;
    qFixed = 0;
  }
  return { multiplier: qFixed, shift };
}

/** gemmlowp SaturatingRoundingDoublingHighMul: (a * b + nudge) / 2^31 truncated, the one
 * overflow case (INT32_MIN squared) saturated. The 64-bit product is formed in two exact halves. */
export function srdhm(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const bLow = b & 0xffff;
  const bHigh = (b - bLow) / 65536; // in [-32768, 32767]
  const hi = a * bHigh; // |hi| < 2^46
  const lo = a * bLow; // |lo| < 2^47
  const nonNegative = a === 0 || b === 0 || a > 0 === b > 0;
  const nudge = nonNegative ? 1073741824 : -1073741823;
  // a*b + nudge = hq * 2^31 + t
  const hq = Math.floor(hi / 32768);
  const hr = hi - hq * 32768;
  const t = hr * 65536 + lo + nudge;
  const tq = Math.floor(t / TWO_31);
  const rem = t - tq * TWO_31;
  let q = hq + tq; // floor of the quotient
  if (q < 0 && rem !== 0) q += 1; // C's division truncates toward zero
  return q;
}

/** gemmlowp RoundingDivideByPOT: arithmetic shift right rounding to nearest, ties away from 0. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = exponent >= 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** MultiplyByQuantizedMultiplier (double rounding): x * multiplier * 2^(shift - 31). */
export function multiplyByQuantizedMultiplier(
  x: number,
  multiplier: number,
  shift: number,
): number {
  return shift > 0
    ? roundingDivideByPOT(srdhm(Math.imul(x, 1 << shift), multiplier), 0)
    : roundingDivideByPOT(srdhm(x, multiplier), -shift);
}

/** MultiplyByQuantizedMultiplierGreaterThanOne: left shift then high multiply, no right shift. */
export function multiplyByQuantizedMultiplierGreaterThanOne(
  x: number,
  multiplier: number,
  leftShift: number,
): number {
  return srdhm(Math.imul(x, 1 << leftShift), multiplier);
}

/** gemmlowp saturating left shift (SaturatingRoundingMultiplyByPOT with a positive exponent). */
export function saturatingShiftLeft(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const threshold = (1 << (31 - exponent)) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return x << exponent;
}

/** gemmlowp Rescale: a raw value from `srcIntegerBits` to `dstIntegerBits` integer bits. */
export function rescale(x: number, srcIntegerBits: number, dstIntegerBits: number): number {
  const exponent = srcIntegerBits - dstIntegerBits;
  return exponent >= 0 ? saturatingShiftLeft(x, exponent) : roundingDivideByPOT(x, -exponent);
}

/** gemmlowp RoundingHalfSum for int32: (a + b) / 2 rounded away from zero. */
export function roundingHalfSum(a: number, b: number): number {
  const sum = a + b;
  return Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/** exp(a) for a in [-1/4, 0), raw Q0.31 in and out (a Taylor expansion around -1/8). */
export function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a: number): number {
  const constantTerm = 1895147668; // exp(-1/8)
  const oneThird = 715827883;
  const x = (a + (1 << 28)) | 0;
  const x2 = srdhm(x, x);
  const x3 = srdhm(x2, x);
  const x4 = srdhm(x2, x2);
  const x4Over4 = roundingDivideByPOT(x4, 2);
  const poly = roundingDivideByPOT((srdhm((x4Over4 + x3) | 0, oneThird) + x2) | 0, 1);
  return (constantTerm + srdhm(constantTerm, (x + poly) | 0)) | 0;
}

/** exp(-2^k) in Q0.31 for k = -2..4, the barrel shifter's factors. */
const EXP_BARREL: ReadonlyArray<readonly [number, number]> = [
  [-2, 1672461947],
  [-1, 1302514674],
  [0, 790015084],
  [1, 290630308],
  [2, 39332535],
  [3, 720401],
  [4, 242],
];

/** gemmlowp exp_on_negative_values: exp(a) for a <= 0 with `integerBits` integer bits in, Q0.31 out. */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = 1 << (fractionalBits - 2);
  const mask = oneQuarter - 1;
  const aModQuarterMinusOneQuarter = ((a & mask) - oneQuarter) | 0;
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(
    rescale(aModQuarterMinusOneQuarter, integerBits, 0),
  );
  const remainder = (aModQuarterMinusOneQuarter - a) | 0;
  for (const [exponent, multiplier] of EXP_BARREL) {
    if (integerBits > exponent && (remainder & (1 << (fractionalBits + exponent))) !== 0)
      result = srdhm(result, multiplier);
  }
  if (integerBits > 5 && a < -(1 << (36 - integerBits))) result = 0;
  return a === 0 ? INT32_MAX : result;
}

/** gemmlowp one_over_one_plus_x_for_x_in_0_1: Newton-Raphson division, Q0.31 in and out. */
export function oneOverOnePlusXForXIn01(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  const c48Over17 = 1515870810; // Q2.29
  const cNeg32Over17 = -1010580540;
  const oneQ2 = 1 << 29;
  let x = (c48Over17 + srdhm(halfDenominator, cNeg32Over17)) | 0;
  for (let i = 0; i < 3; i++) {
    const halfDenominatorTimesX = srdhm(halfDenominator, x);
    const oneMinus = (oneQ2 - halfDenominatorTimesX) | 0;
    x = (x + rescale(srdhm(x, oneMinus), 4, 2)) | 0;
  }
  // ExactMulByPot<-1> keeps the raw value as Q1.30; Rescale<0> shifts it to Q0.31.
  return rescale(x, 1, 0);
}

/** gemmlowp logistic: 1 / (1 + exp(-a)) with `integerBits` integer bits in, Q0.31 out. */
export function logisticFixed(a: number, integerBits: number): number {
  if (a === 0) return 1 << 30;
  const positive = a > 0;
  const absInput = positive ? a : -a | 0;
  const resultIfPositive = oneOverOnePlusXForXIn01(expOnNegativeValues(-absInput | 0, integerBits));
  return positive ? resultIfPositive : (INT32_MAX - resultIfPositive) | 0;
}

/** GetReciprocal (TFLite common.h): 1/x for x with `integerDigits` integer bits, as a Q0.31
 * value scaled by 2^-numBitsOverUnit. */
export function getReciprocal(
  x: number,
  integerDigits: number,
): { value: number; numBitsOverUnit: number } {
  const headroomPlusOne = Math.clz32(x);
  const numBitsOverUnit = integerDigits - headroomPlusOne;
  const shiftedSumMinusOne = (((x << headroomPlusOne) >>> 0) - TWO_31) | 0;
  return { value: oneOverOnePlusXForXIn01(shiftedSumMinusOne), numBitsOverUnit };
}

/** CalculateInputRadius (quantization_util.cc): the largest input difference that does not
 * saturate after rescaling. */
export function calculateInputRadius(
  inputIntegerBits: number,
  inputLeftShift: number,
  totalSignedBits = 31,
): number {
  const maxInputRescaled =
    (((1 << inputIntegerBits) - 1) * 2 ** (totalSignedBits - inputIntegerBits)) /
    2 ** inputLeftShift;
  return Math.floor(maxInputRescaled);
}
