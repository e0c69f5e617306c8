/* MEAN over the spatial axes {1, 2} of an NHWC int8 tensor (global average pooling, the form
 * converters emit), as TFLite's int8 Mean: sum of (x - zero point), rescaled by
 * in_scale/out_scale, divided by H*W rounding half away from zero. Other axes: unsupported. */
#include "../ops.h"

typedef struct {
  int32_t batches, h, w, c, in_zp, out_zp, mult;
  int shift;
} mean_params;

static void mean_hw_s8(const mean_params *p, const int8_t *in, int8_t *out) {
  const int32_t n = p->h * p->w;
  for (int32_t b = 0; b < p->batches; b++)
    for (int32_t c = 0; c < p->c; c++) {
      int32_t acc = 0;
      for (int32_t i = 0; i < n; i++) acc += (int32_t)in[(b * n + i) * p->c + c] - p->in_zp;
      acc = tor_mul_by_quantized_multiplier(acc, p->mult, p->shift);
      acc = acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
      out[b * p->c + c] = (int8_t)tor_offset_clamp(acc, p->out_zp, -128, 127);
    }
}

tor_status tor_op_mean(tor_interp *it, const tor_op *op, int run) {
  TOR_CHECK(op->ninputs >= 2 && op->noutputs >= 1, TOR_ERR_SHAPE);
  const tor_tensor *in = tor_op_in(it, op, 0), *axes = tor_op_in(it, op, 1), *out = tor_op_out(it, op, 0);
  TOR_CHECK(in && axes && out, TOR_ERR_SHAPE);
  TOR_CHECK(in->type == TOR_INT8 && out->type == TOR_INT8 && axes->type == TOR_INT32,
            TOR_ERR_UNSUPPORTED_TYPE);
  TOR_CHECK(in->ndims == 4 && axes->const_data && axes->count == 2, TOR_ERR_UNSUPPORTED_OP);
  int32_t a0 = tor_ld_i32(axes->const_data), a1 = tor_ld_i32(axes->const_data + 4);
  if (a0 < 0) a0 += 4;
  if (a1 < 0) a1 += 4;
  TOR_CHECK((a0 == 1 && a1 == 2) || (a0 == 2 && a1 == 1), TOR_ERR_UNSUPPORTED_OP);
  mean_params p;
  p.batches = in->dims[0]; p.h = in->dims[1]; p.w = in->dims[2]; p.c = in->dims[3];
  TOR_CHECK(out->count == (uint32_t)(p.batches * p.c), TOR_ERR_SHAPE);
  /* the int32 sum is exact for up to 2^23 elements per channel */
  TOR_CHECK((int64_t)p.h * p.w <= (1 << 23), TOR_ERR_LIMIT);
  TOR_CHECK(in->scale > 0.0f && out->scale > 0.0f, TOR_ERR_QUANT);
  TOR_CHECK(tor_quantize_multiplier((double)in->scale / (double)out->scale, &p.mult, &p.shift), TOR_ERR_QUANT);
  p.in_zp = in->zero_point;
  p.out_zp = out->zero_point;
  if (!run) return TOR_OK;
  mean_hw_s8(&p, (const int8_t *)tor_cdata(it, in), (int8_t *)tor_mdata(it, out));
  return TOR_OK;
}
