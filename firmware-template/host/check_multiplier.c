/* Host check: tor_quantize_scale_ratio (integer arithmetic) gives the same multiplier and shift
 * as tor_quantize_multiplier over the double expression a * b / c, which TFLite Micro computes,
 * for random floats over the whole exponent range, scales as models have them, and the exact
 * ties of both roundings (53 bits to nearest-even, then 31 bits half away from zero).
 * Prints the count that differ; exits 1 if any do. Usage: check_multiplier [samples] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixedpoint.h"

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint32_t next(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (uint32_t)state;
}

static float from_bits(uint32_t bits) {
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

/* A positive normal float with a biased exponent in [lo, hi] and a random mantissa. */
static float random_float(uint32_t lo, uint32_t hi) {
  return from_bits(((lo + next() % (hi - lo + 1)) << 23) | (next() & 0x7FFFFFu));
}

static long differ(float a, float b, float c) {
  int32_t m1, m2;
  int s1, s2;
  int r1 = tor_quantize_multiplier((double)a * (double)b / (double)c, &m1, &s1);
  int r2 = tor_quantize_scale_ratio(a, b, c, &m2, &s2);
  if (r1 == r2 && (!r1 || (m1 == m2 && s1 == s2))) return 0;
  printf("a=%a b=%a c=%a: double %d %d %d, integer %d %d %d\n", a, b, c, r1, (int)m1, s1, r2,
         (int)m2, s2);
  return 1;
}

int main(int argc, char **argv) {
  long samples = argc > 1 ? atol(argv[1]) : 1000000, bad = 0;
  for (long i = 0; i < samples; i++) {
    switch (i % 3) {
      case 0: /* anything normal */
        bad += differ(random_float(1, 254), random_float(1, 254), random_float(1, 254));
        break;
      case 1: /* model scales: activations 2^-12..1, weights 2^-14..2^-4 */
        bad += differ(random_float(115, 127), random_float(113, 123), random_float(117, 127));
        break;
      default: /* FULLY_CONNECTED: the product already rounded to float */
        bad += differ(random_float(110, 127), 1.0f, random_float(117, 127));
    }
  }
  /* Ties of the 31-bit rounding: c a power of two makes the quotient exact, and products whose
   * bits just below the kept 31 are exactly one half. */
  long ties = 0;
  while (ties < samples / 50 + 1) {
    uint32_t ma = 0x800000u | (next() & 0x7FFFFFu), mb = 0x800000u | (next() & 0x7FFFFFu);
    uint64_t p = (uint64_t)ma * mb;
    int top = 63;
    while (!((p >> top) & 1)) top--;
    if (((p << (52 - top)) & ((1ull << 22) - 1)) != (1ull << 21)) continue;
    ties++;
    bad += differ(from_bits((127u << 23) | (ma & 0x7FFFFFu)),
                  from_bits(((120u + next() % 5) << 23) | (mb & 0x7FFFFFu)),
                  from_bits((125u + next() % 4) << 23));
  }
  printf("%ld differ of %ld samples and %ld ties\n", bad, samples, ties);
  return bad != 0;
}
