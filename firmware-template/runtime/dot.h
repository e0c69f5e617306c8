/* The int8 dot products of the kernels, accumulated with int32 wrap-around (as the reference
 * kernels' int32 accumulator). On cores with the DSP extension (Cortex-M4/M7/M33) they use
 * SXTB16/SXTAB16 and SMLAD/SMLABB/SMLATT, two multiply-accumulates per instruction; elsewhere
 * plain C. Integer addition is associative under wrap-around, so both give identical bits.
 * TOR_DSP_EMULATE runs the DSP path on the host through C models of those instructions. */
#ifndef TOR_DOT_H
#define TOR_DOT_H

#include <stdint.h>
#include <string.h>

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define TOR_DOT_DSP 1
typedef int16x2_t tor_i16x2;
#define tor_sxtb16 __sxtb16
#define tor_sxtab16 __sxtab16
#define tor_smlad __smlad
#define tor_smlabb __smlabb
#define tor_smlatt __smlatt
/* The rotation folded into the instruction (GCC does not fold it from the intrinsics). */
static inline tor_i16x2 tor_lanes13(uint32_t w) {
  tor_i16x2 r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(w));
  return r;
}
static inline tor_i16x2 tor_lanes13_add(tor_i16x2 off2, uint32_t w) {
  tor_i16x2 r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(off2), "r"(w));
  return r;
}
#elif defined(TOR_DSP_EMULATE)
/* Host builds can run the DSP path on C models of the five instructions it uses, so the
 * sanitizers and the loader fuzzer check its memory accesses too (tests build it this way). */
#define TOR_DOT_DSP 1
typedef int32_t tor_i16x2;
static inline int32_t tor_lo16(uint32_t v) { return (int16_t)(uint16_t)v; }
static inline int32_t tor_hi16(uint32_t v) { return (int16_t)(uint16_t)(v >> 16); }
static inline tor_i16x2 tor_pack16(int32_t lo, int32_t hi) {
  return (tor_i16x2)(((uint32_t)(uint16_t)hi << 16) | (uint16_t)lo);
}
static inline tor_i16x2 tor_sxtb16(uint32_t w) { return tor_pack16((int8_t)w, (int8_t)(w >> 16)); }
static inline tor_i16x2 tor_sxtab16(tor_i16x2 a, uint32_t w) {
  return tor_pack16(tor_lo16((uint32_t)a) + (int8_t)w, tor_hi16((uint32_t)a) + (int8_t)(w >> 16));
}
static inline int32_t tor_smlad(tor_i16x2 a, tor_i16x2 b, int32_t acc) {
  return (int32_t)((uint32_t)acc + (uint32_t)(tor_lo16((uint32_t)a) * tor_lo16((uint32_t)b)) +
                   (uint32_t)(tor_hi16((uint32_t)a) * tor_hi16((uint32_t)b)));
}
static inline int32_t tor_smlabb(tor_i16x2 a, tor_i16x2 b, int32_t acc) {
  return (int32_t)((uint32_t)acc + (uint32_t)(tor_lo16((uint32_t)a) * tor_lo16((uint32_t)b)));
}
static inline int32_t tor_smlatt(tor_i16x2 a, tor_i16x2 b, int32_t acc) {
  return (int32_t)((uint32_t)acc + (uint32_t)(tor_hi16((uint32_t)a) * tor_hi16((uint32_t)b)));
}
static inline tor_i16x2 tor_lanes13(uint32_t w) { return tor_sxtb16((w >> 8) | (w << 24)); }
static inline tor_i16x2 tor_lanes13_add(tor_i16x2 off2, uint32_t w) {
  return tor_sxtab16(off2, (w >> 8) | (w << 24));
}
#endif

#ifdef TOR_DOT_DSP
/* Four int8 lanes split by SXTB16 into (b0, b2) and (b1, b3) as int16 pairs. */
static inline tor_i16x2 tor_lanes02(uint32_t w) { return tor_sxtb16(w); }

static inline uint32_t tor_ld32(const void *p) {
  uint32_t w;
  memcpy(&w, p, 4); /* unaligned LDR is fine on ARMv7-M */
  return w;
}
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
      const uint32_t xw = tor_ld32(x + i), fw = tor_ld32(f + i);
      sacc = tor_smlad(tor_sxtab16(off2, xw), tor_lanes02(fw), sacc); /* x[0]+off, x[2]+off */
      sacc = tor_smlad(tor_lanes13_add(off2, xw), tor_lanes13(fw), sacc);
    }
    acc = (uint32_t)sacc;
  }
#endif
  for (; i < n; i++) acc += (uint32_t)((int32_t)f[i] * ((int32_t)x[i] + offset));
  return acc;
}

/* Two weight rows against one input row (two fully-connected units): the input is loaded and
 * widened once for both. */
static inline void tor_dot2_s8_offset(const int8_t *fa, const int8_t *fb, const int8_t *x, int32_t n,
                                      int32_t offset, uint32_t *acc_a, uint32_t *acc_b) {
  int32_t i = 0;
  uint32_t ua = *acc_a, ub = *acc_b;
#ifdef TOR_DOT_DSP
  if (offset >= -32000 && offset <= 32000) {
    const uint32_t off2 = ((uint32_t)(uint16_t)offset << 16) | (uint16_t)offset;
    int32_t a = (int32_t)ua, b = (int32_t)ub;
    for (; i + 4 <= n; i += 4) {
      const uint32_t xw = tor_ld32(x + i);
      const tor_i16x2 x02 = tor_sxtab16(off2, xw), x13 = tor_lanes13_add(off2, xw);
      const uint32_t wa = tor_ld32(fa + i), wb = tor_ld32(fb + i);
      a = tor_smlad(tor_lanes02(wa), x02, a);
      a = tor_smlad(tor_lanes13(wa), x13, a);
      b = tor_smlad(tor_lanes02(wb), x02, b);
      b = tor_smlad(tor_lanes13(wb), x13, b);
    }
    ua = (uint32_t)a;
    ub = (uint32_t)b;
  }
#endif
  for (; i < n; i++) {
    const int32_t xi = (int32_t)x[i] + offset;
    ua += (uint32_t)((int32_t)fa[i] * xi);
    ub += (uint32_t)((int32_t)fb[i] * xi);
  }
  *acc_a = ua;
  *acc_b = ub;
}

#ifdef TOR_DOT_DSP

/* Two filters' dot products with one int16 column laid out by groups of four as x0,x2,x1,x3
 * (see the im2col in conv2d.c): each column load serves both filters. */
static inline void tor_dot2_s16col(const int16_t *col, const int8_t *fa, const int8_t *fb, int32_t n,
                                   uint32_t *acc_a, uint32_t *acc_b) {
  int32_t a = (int32_t)*acc_a, b = (int32_t)*acc_b, i = 0;
  for (; i + 4 <= n; i += 4) {
    const tor_i16x2 x02 = (tor_i16x2)tor_ld32(col + i), x13 = (tor_i16x2)tor_ld32(col + i + 2);
    const uint32_t wa = tor_ld32(fa + i), wb = tor_ld32(fb + i);
    a = tor_smlad(tor_lanes02(wa), x02, a);
    a = tor_smlad(tor_lanes13(wa), x13, a);
    b = tor_smlad(tor_lanes02(wb), x02, b);
    b = tor_smlad(tor_lanes13(wb), x13, b);
  }
  uint32_t ua = (uint32_t)a, ub = (uint32_t)b;
  for (; i < n; i++) { /* the tail is stored in natural order */
    ua += (uint32_t)((int32_t)fa[i] * (int32_t)col[i]);
    ub += (uint32_t)((int32_t)fb[i] * (int32_t)col[i]);
  }
  *acc_a = ua;
  *acc_b = ub;
}

/* Two filters by two columns (two output pixels): each filter word and each column word is
 * loaded once for two multiply-accumulates. acc = {a.c0, b.c0, a.c1, b.c1}. */
static inline void tor_dot2x2_s16col(const int16_t *c0, const int16_t *c1, const int8_t *fa,
                                     const int8_t *fb, int32_t n, uint32_t acc[4]) {
  int32_t a0 = (int32_t)acc[0], b0 = (int32_t)acc[1], a1 = (int32_t)acc[2], b1 = (int32_t)acc[3];
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const tor_i16x2 x02 = (tor_i16x2)tor_ld32(c0 + i), x13 = (tor_i16x2)tor_ld32(c0 + i + 2);
    const tor_i16x2 y02 = (tor_i16x2)tor_ld32(c1 + i), y13 = (tor_i16x2)tor_ld32(c1 + i + 2);
    uint32_t w = tor_ld32(fa + i);
    tor_i16x2 f02 = tor_lanes02(w), f13 = tor_lanes13(w);
    a0 = tor_smlad(f02, x02, a0);
    a0 = tor_smlad(f13, x13, a0);
    a1 = tor_smlad(f02, y02, a1);
    a1 = tor_smlad(f13, y13, a1);
    w = tor_ld32(fb + i);
    f02 = tor_lanes02(w);
    f13 = tor_lanes13(w);
    b0 = tor_smlad(f02, x02, b0);
    b0 = tor_smlad(f13, x13, b0);
    b1 = tor_smlad(f02, y02, b1);
    b1 = tor_smlad(f13, y13, b1);
  }
  uint32_t u[4] = {(uint32_t)a0, (uint32_t)b0, (uint32_t)a1, (uint32_t)b1};
  for (; i < n; i++) {
    u[0] += (uint32_t)((int32_t)fa[i] * (int32_t)c0[i]);
    u[1] += (uint32_t)((int32_t)fb[i] * (int32_t)c0[i]);
    u[2] += (uint32_t)((int32_t)fa[i] * (int32_t)c1[i]);
    u[3] += (uint32_t)((int32_t)fb[i] * (int32_t)c1[i]);
  }
  memcpy(acc, u, sizeof u);
}
#endif

#endif
