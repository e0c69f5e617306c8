/* Fixed-point arithmetic matching TFLite Micro's reference kernels bit for bit:
 * the multiplier derivation (QuantizeMultiplier via frexp), the doubling high
 * multiply with rounding, rounding right shifts, and the gemmlowp-style exp and
 * reciprocal used by the int8 softmax. Pure functions, no state. */
#ifndef TOR_FIXEDPOINT_H
#define TOR_FIXEDPOINT_H

#include <stdint.h>

/* real = multiplier * 2^(shift - 31), multiplier in [2^30, 2^31). Returns 0 when the
 * value is not finite or negative, or the shift would leave [-31, 30]. */
int tor_quantize_multiplier(double real, int32_t *multiplier, int *shift);
/* The same for real = (double)a * (double)b / (double)c, computed exactly as that double
 * expression rounds, in integer arithmetic: no software double on cores without a double FPU
 * (it costs hundreds of instructions per channel, every inference). */
int tor_quantize_scale_ratio(float a, float b, float c, int32_t *multiplier, int *shift);
/* x * 2^exponent with saturation, exponent in [0, 31]. */
int32_t tor_sat_rounding_mul_by_pot(int32_t x, int exponent);

/* The requantization of every conv, depthwise and FC output: inline, since a call costs as much
 * as the arithmetic when a depthwise output is only nine MACs. */
static inline int32_t tor_sat_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN) return INT32_MAX;
  int64_t ab = (int64_t)a * (int64_t)b;
  int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return (int32_t)((ab + nudge) / (1ll << 31));
}

static inline int32_t tor_rounding_divide_by_pot(int32_t x, int exponent) {
  int32_t mask = (int32_t)((1u << exponent) - 1u); /* exponent in [0, 31] */
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

static inline int32_t tor_mul_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift) {
  int left = shift > 0 ? shift : 0;
  int right = shift > 0 ? 0 : -shift;
  /* The left shift wraps like TFLite's int32 multiply does in practice. */
  int32_t shifted = (int32_t)((uint32_t)x << left);
  if (multiplier == INT32_MIN) /* the doubling high multiply's one saturating case */
    return tor_rounding_divide_by_pot(tor_sat_rounding_doubling_high_mul(shifted, multiplier), right);
  /* The same doubling high multiply, written so the compiler keeps it in a few instructions:
   * add the nudge, then shift right by 31 rounding toward zero as the division does. */
  int64_t ab = (int64_t)shifted * multiplier;
  int64_t t = ab + (ab >= 0 ? (1 << 30) : (1 - (1 << 30)));
  int32_t high = (int32_t)((t < 0 ? t + 0x7FFFFFFF : t) >> 31);
  return tor_rounding_divide_by_pot(high, right);
}
/* exp(a) for a <= 0 given with `int_bits` (1..5) integer bits; result with 0 integer bits. */
int32_t tor_exp_on_negative_values(int32_t a, int int_bits);
#define tor_exp_on_negative_values_5(a) tor_exp_on_negative_values((a), 5)
/* 1 / (1 + exp(-a)) for a with `int_bits` integer bits; result with 0 integer bits. */
int32_t tor_logistic(int32_t a, int int_bits);
/* 1 / (1 + x) for x in [0, 1) (0 integer bits in and out). */
int32_t tor_one_over_one_plus_x(int32_t a);
/* TFLite's activation clamp range for a quantized output. */
void tor_activation_range(int act, float scale, int32_t zero_point, int32_t qmin, int32_t qmax,
                          int32_t *lo, int32_t *hi);
int tor_clz32(uint32_t x);

/* v + offset clamped to [lo, hi] (an int8/int16 range and zero point): compared before the
 * addition, so an extreme v cannot overflow and no 64-bit arithmetic is needed. */
static inline int32_t tor_offset_clamp(int32_t v, int32_t offset, int32_t lo, int32_t hi) {
  if (v < lo - offset) return lo;
  if (v > hi - offset) return hi;
  return v + offset;
}

#endif
