#include "fixedpoint.h"

#include <math.h>
#include <string.h>

int tor_quantize_multiplier(double real, int32_t *multiplier, int *shift) {
  *multiplier = 0;
  *shift = 0;
  if (!(real >= 0.0) || !isfinite(real)) return 0;
  if (real == 0.0) return 1;
  int exp;
  double q = frexp(real, &exp);
  int64_t q_fixed = (int64_t)round(q * 2147483648.0);
  if (q_fixed == (1ll << 31)) {
    q_fixed /= 2;
    ++exp;
  }
  if (exp < -31) { /* TFLite flushes such tiny multipliers to zero */
    exp = 0;
    q_fixed = 0;
  }
  if (exp > 30) return 0;
  *multiplier = (int32_t)q_fixed;
  *shift = exp;
  return 1;
}

int32_t tor_sat_rounding_mul_by_pot(int32_t x, int exponent) {
  if (exponent == 0) return x;
  int32_t threshold = INT32_MAX >> exponent;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << exponent);
}

#define MUL tor_sat_rounding_doubling_high_mul

/* Taylor expansion around -1/8, valid for a in [-1/4, 0). */
static int32_t exp_quarter_interval(int32_t a) {
  const int32_t constant_term = 1895147668;     /* exp(-1/8) */
  const int32_t constant_1_over_3 = 715827883;  /* 1/3 */
  int32_t x = a + (1 << 28);                    /* a + 1/8 */
  int32_t x2 = MUL(x, x);
  int32_t x3 = MUL(x2, x);
  int32_t x4 = MUL(x2, x2);
  int32_t x4_over_4 = tor_rounding_divide_by_pot(x4, 2);
  int32_t poly = tor_rounding_divide_by_pot(MUL(x4_over_4 + x3, constant_1_over_3) + x2, 1);
  return constant_term + MUL(constant_term, x + poly);
}

int32_t tor_exp_on_negative_values(int32_t a, int int_bits) {
  const int frac_bits = 31 - int_bits;
  const int32_t one_quarter = 1 << (frac_bits - 2);
  const int32_t mask = one_quarter - 1;
  int32_t a_mod_quarter_minus_one_quarter = (a & mask) - one_quarter;
  int32_t result = exp_quarter_interval(tor_sat_rounding_mul_by_pot(a_mod_quarter_minus_one_quarter, int_bits));
  int32_t remainder = a_mod_quarter_minus_one_quarter - a;
  /* exp(-2^k) for k = -2..4, in Q0.31 */
  static const int32_t mult[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  for (int k = 0; k < 7 && k - 2 < int_bits; k++) {
    int bit = frac_bits + (k - 2);
    if (remainder & (int32_t)(1u << bit)) result = MUL(result, mult[k]);
  }
  if (a == 0) result = INT32_MAX;
  return result;
}

int32_t tor_one_over_one_plus_x(int32_t a) {
  /* half_denominator = (a + 1) / 2 with rounding (gemmlowp RoundingHalfSum). */
  int64_t sum = (int64_t)a + INT32_MAX;
  int64_t sign = sum >= 0 ? 1 : -1;
  int32_t half_den = (int32_t)((sum + sign) / 2);
  /* Newton-Raphson in Q2.29, starting from 48/17 - 32/17 * d. */
  const int32_t c48_17 = 1515870810, cneg32_17 = -1010580540;
  int32_t x = c48_17 + MUL(half_den, cneg32_17);
  for (int i = 0; i < 3; i++) {
    int32_t hdx = MUL(half_den, x);
    int32_t one_minus = (1 << 29) - hdx;
    x = x + tor_sat_rounding_mul_by_pot(MUL(x, one_minus), 2);
  }
  return tor_sat_rounding_mul_by_pot(x, 1);
}

/* zero_point + round(f / scale), computed in float as TFLite does, kept in int32 range. */
static int32_t quantize_clamped(float f, float scale, int32_t zero_point) {
  float v = roundf(f / scale);
  if (v > 1e9f) v = 1e9f;
  if (v < -1e9f) v = -1e9f;
  return zero_point + (int32_t)v;
}

int32_t tor_logistic(int32_t a, int int_bits) {
  if (a == 0) return 1 << 30; /* one half */
  /* |a| with the same saturation as the fixed-point negate */
  int32_t abs_a = a > 0 ? a : (a == INT32_MIN ? INT32_MAX : -a);
  int32_t pos = tor_one_over_one_plus_x(tor_exp_on_negative_values(-abs_a, int_bits));
  return a > 0 ? pos : (int32_t)((uint32_t)INT32_MAX - (uint32_t)pos);
}

void tor_activation_range(int act, float scale, int32_t zero_point, int32_t qmin, int32_t qmax,
                          int32_t *lo, int32_t *hi) {
  *lo = qmin;
  *hi = qmax;
  if (!(scale > 0.0f)) return;
#define TOR_Q(f) quantize_clamped((f), scale, zero_point)
  if (act == 1) { /* RELU */
    int32_t z = TOR_Q(0.0f);
    *lo = z > qmin ? z : qmin;
  } else if (act == 2) { /* RELU_N1_TO_1 */
    int32_t a = TOR_Q(-1.0f), b = TOR_Q(1.0f);
    *lo = a > qmin ? a : qmin;
    *hi = b < qmax ? b : qmax;
  } else if (act == 3) { /* RELU6 */
    int32_t a = TOR_Q(0.0f), b = TOR_Q(6.0f);
    *lo = a > qmin ? a : qmin;
    *hi = b < qmax ? b : qmax;
  }
#undef TOR_Q
}

int tor_clz32(uint32_t x) {
  int n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    n++;
  }
  return n;
}

/* A positive normal float as mantissa (24 bits, hidden bit set) x 2^exp; 0 otherwise. */
static int float_parts(float f, uint32_t *mant, int *exp) {
  uint32_t bits;
  memcpy(&bits, &f, 4);
  const uint32_t e = (bits >> 23) & 0xFFu;
  if ((bits >> 31) || e == 0 || e == 0xFFu) return 0;
  *mant = (bits & 0x7FFFFFu) | 0x800000u;
  *exp = (int)e - 150; /* f = mant x 2^(e - 127 - 23) */
  return 1;
}

int tor_quantize_scale_ratio(float a, float b, float c, int32_t *multiplier, int *shift) {
  uint32_t ma, mb, mc;
  int ea, eb, ec;
  if (!float_parts(a, &ma, &ea) || !float_parts(b, &mb, &eb) || !float_parts(c, &mc, &ec))
    return tor_quantize_multiplier((double)a * (double)b / (double)c, multiplier, shift);
  /* (double)a * (double)b is exact: a 48-bit product. */
  const uint64_t p = (uint64_t)ma * mb;
  /* p / mc to 56+ quotient bits in two 64-by-32 steps (p < 2^48, the remainder < 2^24). */
  const uint64_t q1 = p / mc, r1 = p % mc;
  const uint64_t t = r1 << 32;
  const uint64_t q0 = t / mc, r0 = t % mc;
  uint64_t q = (q1 << 32) | q0; /* the quotient x 2^32, truncated */
  int sticky = r0 != 0;
  /* Round to 53 significant bits, to nearest with ties to even: the double division's result. */
  /* p >= 2^46 and mc < 2^24, so q >= 2^54: 2 to 4 bits below the 53 kept, and the sticky bit. */
  const int drop = 64 - tor_clz32((uint32_t)(q >> 32)) - 53;
  const uint64_t half = 1ull << (drop - 1), rest = q & ((1ull << drop) - 1);
  uint64_t q53 = q >> drop;
  if (rest > half || (rest == half && (sticky || (q53 & 1)))) q53++;
  int e = ea + eb - ec - 32 + drop; /* value = q53 x 2^e */
  if (q53 >> 53) { /* the rounding carried into a 54th bit */
    q53 >>= 1;
    e++;
  }
  /* frexp: value = m x 2^fe with m = q53 / 2^53 in [0.5, 1); then round(m x 2^31), half away. */
  int fe = e + 53;
  uint64_t q31 = (q53 + (1ull << 21)) >> 22;
  if (q31 == (1ull << 31)) {
    q31 >>= 1;
    fe++;
  }
  *multiplier = 0;
  *shift = 0;
  if (fe < -31) return 1; /* flushed to zero, as TFLite does */
  if (fe > 30) return 0;
  *multiplier = (int32_t)q31;
  *shift = fe;
  return 1;
}
