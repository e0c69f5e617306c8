/* RELU, int8: requantize input to output scale, clamp at the quantized zero. */
#include "../ops.h"

tor_status tor_op_relu(tor_interp *it, const tor_op *op, int run) {
  TOR_CHECK(op->ninputs >= 1 && op->noutputs >= 1, TOR_ERR_SHAPE);
  const tor_tensor *in = tor_op_in(it, op, 0), *out = tor_op_out(it, op, 0);
  TOR_CHECK(in && out, TOR_ERR_SHAPE);
  TOR_CHECK(in->type == TOR_INT8 && out->type == TOR_INT8, TOR_ERR_UNSUPPORTED_TYPE);
  TOR_CHECK(in->count == out->count, TOR_ERR_SHAPE);
  TOR_CHECK(in->scale > 0.0f && out->scale > 0.0f, TOR_ERR_QUANT);
  int32_t mult, lo, hi;
  int shift;
  TOR_CHECK(tor_quantize_multiplier((double)in->scale / (double)out->scale, &mult, &shift), TOR_ERR_QUANT);
  tor_activation_range(1, out->scale, out->zero_point, -128, 127, &lo, &hi);
  if (!run) return TOR_OK;
  const int8_t *src = (const int8_t *)tor_cdata(it, in);
  int8_t *dst = (int8_t *)tor_mdata(it, out);
  for (uint32_t i = 0; i < in->count; i++) {
    int32_t v = tor_mul_by_quantized_multiplier((int32_t)src[i] - in->zero_point, mult, shift);
    dst[i] = (int8_t)tor_offset_clamp(v, out->zero_point, lo, hi);
  }
  return TOR_OK;
}
