/* SOFTMAX, int8 in, int8 out (scale 1/256, zero point -128), with the fixed-point
 * exp and reciprocal of TFLite's reference int8 softmax. */
#include <math.h>

#include "../ops.h"

typedef struct {
  int32_t beta_multiplier, beta_left_shift, diff_min;
} softmax_params;

#define SCALED_DIFF_INT_BITS 5
#define ACCUM_INT_BITS 12

static void softmax_row_s8(const softmax_params *p, const int8_t *in, int8_t *out, int32_t depth) {
  int32_t max = -128;
  for (int32_t c = 0; c < depth; c++)
    if (in[c] > max) max = in[c];
  uint32_t sum = 0; /* Q12.19; unsigned so a huge row wraps (as the reference int32 does) without UB */
  for (int32_t c = 0; c < depth; c++) {
    int32_t diff = (int32_t)in[c] - max;
    if (diff >= p->diff_min) {
      int32_t scaled = tor_sat_rounding_doubling_high_mul(diff * (1 << p->beta_left_shift),
                                                          p->beta_multiplier);
      sum += (uint32_t)tor_rounding_divide_by_pot(tor_exp_on_negative_values_5(scaled), ACCUM_INT_BITS);
    }
  }
  int headroom_plus_one = tor_clz32(sum);
  int num_bits_over_unit = ACCUM_INT_BITS - headroom_plus_one;
  int32_t shifted_sum_minus_one =
      (int32_t)((sum << (headroom_plus_one & 31)) - ((uint32_t)1 << 31));
  int32_t shifted_scale = tor_one_over_one_plus_x(shifted_sum_minus_one);
  int out_shift = num_bits_over_unit + 31 - 8;
  if (out_shift > 31) out_shift = 31; /* only a wrapped (absurdly long) row gets here */
  for (int32_t c = 0; c < depth; c++) {
    int32_t diff = (int32_t)in[c] - max;
    int32_t v = -128;
    if (diff >= p->diff_min) {
      int32_t scaled = tor_sat_rounding_doubling_high_mul(diff * (1 << p->beta_left_shift),
                                                          p->beta_multiplier);
      int32_t e = tor_exp_on_negative_values_5(scaled);
      int32_t unsat = tor_rounding_divide_by_pot(tor_sat_rounding_doubling_high_mul(shifted_scale, e),
                                                 out_shift);
      v = unsat - 128;
      if (v > 127) v = 127;
      if (v < -128) v = -128;
    }
    out[c] = (int8_t)v;
  }
}

tor_status tor_op_softmax(tor_interp *it, const tor_op *op, int run) {
  TOR_CHECK(op->ninputs >= 1 && op->noutputs >= 1, TOR_ERR_SHAPE);
  const tor_tensor *in = tor_op_in(it, op, 0), *out = tor_op_out(it, op, 0);
  TOR_CHECK(in && out, TOR_ERR_SHAPE);
  TOR_CHECK(in->type == TOR_INT8 && out->type == TOR_INT8, TOR_ERR_UNSUPPORTED_TYPE);
  TOR_CHECK(in->ndims >= 1 && in->count == out->count, TOR_ERR_SHAPE);
  TOR_CHECK(out->zero_point == -128 && in->scale > 0.0f, TOR_ERR_QUANT);
  float beta = 1.0f;
  fb_t fb = tor_fb(it);
  if (op->options) TOR_CHECK(fb_get_f32(&fb, op->options, 0, 1.0f, &beta), TOR_ERR_FORMAT);
  softmax_params p;
  double real = (double)beta * (double)in->scale * (double)(1 << (31 - SCALED_DIFF_INT_BITS));
  if (real > 2147483647.0) real = 2147483647.0;
  int shift;
  TOR_CHECK(tor_quantize_multiplier(real, &p.beta_multiplier, &shift) && shift >= 0 && shift <= 30 &&
            p.beta_multiplier > 0, TOR_ERR_QUANT);
  p.beta_left_shift = shift;
  /* Largest |diff| whose rescaled value fits the 5 integer bits. */
  double radius = 1.0 * ((1 << SCALED_DIFF_INT_BITS) - 1) *
                  (double)(1ll << (31 - SCALED_DIFF_INT_BITS)) / (double)(1ll << shift);
  p.diff_min = -(int32_t)floor(radius);
  if (!run) return TOR_OK;
  const int32_t depth = in->dims[in->ndims - 1];
  const int32_t rows = (int32_t)(in->count / (uint32_t)depth);
  const int8_t *ind = (const int8_t *)tor_cdata(it, in);
  int8_t *outd = (int8_t *)tor_mdata(it, out);
  for (int32_t r = 0; r < rows; r++) softmax_row_s8(&p, ind + r * depth, outd + r * depth, depth);
  return TOR_OK;
}
