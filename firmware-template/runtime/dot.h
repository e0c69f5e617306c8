/* The int8 dot product with an input offset, sum f[i] * (x[i] + offset), accumulated with
 * int32 wrap-around (as the reference kernels' int32 accumulator). On cores with the DSP
 * extension (Cortex-M4/M7/M33) four products take two SMLADs; elsewhere plain C. Integer
 * addition is associative under wrap-around, so both paths give identical bits. */
#ifndef TOR_DOT_H
#define TOR_DOT_H

#include <stdint.h>
#include <string.h>

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define TOR_DOT_DSP 1
#endif

static inline uint32_t tor_dot_s8_offset(const int8_t *f, const int8_t *x, int32_t n, int32_t offset,
                                         uint32_t acc) {
  int32_t i = 0;
#ifdef TOR_DOT_DSP
  /* x + offset must fit 16 bits: true for any int8 zero point. */
  if (offset >= -32000 && offset <= 32000) {
    const uint32_t off2 = ((uint32_t)(uint16_t)offset << 16) | (uint16_t)offset;
    int32_t sacc = (int32_t)acc;
    for (; i + 4 <= n; i += 4) {
      uint32_t xw, fw;
      memcpy(&xw, x + i, 4); /* unaligned LDR is fine on ARMv7-M */
      memcpy(&fw, f + i, 4);
      int16x2_t x02 = __sxtab16(off2, xw);            /* x[0]+off, x[2]+off */
      int16x2_t x13 = __sxtab16(off2, ((xw >> 8) | (xw << 24)));  /* x[1]+off, x[3]+off */
      int16x2_t f02 = __sxtb16(fw);
      int16x2_t f13 = __sxtb16(((fw >> 8) | (fw << 24)));
      sacc = __smlad(x02, f02, sacc);
      sacc = __smlad(x13, f13, sacc);
    }
    acc = (uint32_t)sacc;
  }
#endif
  for (; i < n; i++) acc += (uint32_t)((int32_t)f[i] * ((int32_t)x[i] + offset));
  return acc;
}

#ifdef TOR_DOT_DSP
/* Four int8 lanes split by SXTB16 into (b0, b2) and (b1, b3) as int16 pairs. */
static inline int16x2_t tor_lanes02(uint32_t w) { return __sxtb16(w); }
static inline int16x2_t tor_lanes13(uint32_t w) { return __sxtb16((w >> 8) | (w << 24)); }

static inline uint32_t tor_ld32(const void *p) {
  uint32_t w;
  memcpy(&w, p, 4); /* unaligned LDR is fine on ARMv7-M */
  return w;
}

/* Two filters' dot products with one int16 column laid out by groups of four as x0,x2,x1,x3
 * (see the im2col in conv2d.c): each column load serves both filters. */
static inline void tor_dot2_s16col(const int16_t *col, const int8_t *fa, const int8_t *fb, int32_t n,
                                   uint32_t *acc_a, uint32_t *acc_b) {
  int32_t a = (int32_t)*acc_a, b = (int32_t)*acc_b, i = 0;
  for (; i + 4 <= n; i += 4) {
    const int16x2_t x02 = (int16x2_t)tor_ld32(col + i), x13 = (int16x2_t)tor_ld32(col + i + 2);
    const uint32_t wa = tor_ld32(fa + i), wb = tor_ld32(fb + i);
    a = __smlad(tor_lanes02(wa), x02, a);
    a = __smlad(tor_lanes13(wa), x13, a);
    b = __smlad(tor_lanes02(wb), x02, b);
    b = __smlad(tor_lanes13(wb), x13, b);
  }
  uint32_t ua = (uint32_t)a, ub = (uint32_t)b;
  for (; i < n; i++) { /* the tail is stored in natural order */
    ua += (uint32_t)((int32_t)fa[i] * (int32_t)col[i]);
    ub += (uint32_t)((int32_t)fb[i] * (int32_t)col[i]);
  }
  *acc_a = ua;
  *acc_b = ub;
}
#endif

#endif
