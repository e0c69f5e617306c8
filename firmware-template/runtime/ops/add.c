/* ADD, int8 with broadcasting up to 4D: both inputs rescaled to a common 2^20
 * fixed-point scale, summed, rescaled to the output (TFLite's int8 ADD). */
#include "../ops.h"

typedef struct {
  int32_t in1_offset, in2_offset, out_offset, left_shift;
  int32_t in1_mult, in2_mult, out_mult;
  int in1_shift, in2_shift, out_shift;
  int32_t act_min, act_max;
} add_params;

static inline int8_t add_s8(const add_params *p, int8_t a, int8_t b) {
  int32_t x = (int32_t)(((uint32_t)(a + p->in1_offset)) << p->left_shift);
  int32_t y = (int32_t)(((uint32_t)(b + p->in2_offset)) << p->left_shift);
  int32_t sx = tor_mul_by_quantized_multiplier(x, p->in1_mult, p->in1_shift);
  int32_t sy = tor_mul_by_quantized_multiplier(y, p->in2_mult, p->in2_shift);
  int32_t sum = (int32_t)((uint32_t)sx + (uint32_t)sy); /* wraps as int32 does, without UB */
  return (int8_t)tor_offset_clamp(tor_mul_by_quantized_multiplier(sum, p->out_mult, p->out_shift),
                                  p->out_offset, p->act_min, p->act_max);
}

tor_status tor_op_add(tor_interp *it, const tor_op *op, int run) {
  TOR_CHECK(op->ninputs >= 2 && op->noutputs >= 1, TOR_ERR_SHAPE);
  const tor_tensor *a = tor_op_in(it, op, 0), *b = tor_op_in(it, op, 1), *out = tor_op_out(it, op, 0);
  TOR_CHECK(a && b && out, TOR_ERR_SHAPE);
  TOR_CHECK(a->type == TOR_INT8 && b->type == TOR_INT8 && out->type == TOR_INT8,
            TOR_ERR_UNSUPPORTED_TYPE);
  tor_bcast bc;
  TOR_CHECK(tor_broadcast(a, b, out, &bc), TOR_ERR_SHAPE);
  TOR_CHECK(a->scale > 0.0f && b->scale > 0.0f && out->scale > 0.0f, TOR_ERR_QUANT);
  uint8_t act = 0;
  fb_t fb = tor_fb(it);
  if (op->options) TOR_CHECK(fb_get_u8(&fb, op->options, 0, 0, &act), TOR_ERR_FORMAT);
  add_params p;
  p.in1_offset = -a->zero_point;
  p.in2_offset = -b->zero_point;
  p.out_offset = out->zero_point;
  p.left_shift = 20;
  const double twice_max = 2.0 * (double)(a->scale > b->scale ? a->scale : b->scale);
  TOR_CHECK(tor_quantize_multiplier((double)a->scale / twice_max, &p.in1_mult, &p.in1_shift) &&
            tor_quantize_multiplier((double)b->scale / twice_max, &p.in2_mult, &p.in2_shift) &&
            tor_quantize_multiplier(twice_max / ((double)(1 << p.left_shift) * (double)out->scale),
                                    &p.out_mult, &p.out_shift) &&
            p.in1_shift <= 0 && p.in2_shift <= 0 && p.out_shift <= 0, TOR_ERR_QUANT);
  tor_activation_range(act, out->scale, out->zero_point, -128, 127, &p.act_min, &p.act_max);
  if (!run) return TOR_OK;
  const int8_t *ad = (const int8_t *)tor_cdata(it, a), *bd = (const int8_t *)tor_cdata(it, b);
  int8_t *od = (int8_t *)tor_mdata(it, out);
  if (a->count == out->count && b->count == out->count) { /* no broadcast: the usual residual add */
    for (uint32_t i = 0; i < out->count; i++) od[i] = add_s8(&p, ad[i], bd[i]);
    return TOR_OK;
  }
  uint32_t k = 0;
  for (int32_t i0 = 0; i0 < bc.out[0]; i0++)
    for (int32_t i1 = 0; i1 < bc.out[1]; i1++)
      for (int32_t i2 = 0; i2 < bc.out[2]; i2++)
        for (int32_t i3 = 0; i3 < bc.out[3]; i3++) {
          int32_t ia = i0 * bc.s1[0] + i1 * bc.s1[1] + i2 * bc.s1[2] + i3 * bc.s1[3];
          int32_t ib = i0 * bc.s2[0] + i1 * bc.s2[1] + i2 * bc.s2[2] + i3 * bc.s2[3];
          od[k++] = add_s8(&p, ad[ia], bd[ib]);
        }
  return TOR_OK;
}
