/* DEQUANTIZE: int8 -> float32, (v - zero_point) * scale computed in double as TFLite does. */
#include "../ops.h"

tor_status tor_op_dequantize(tor_interp *it, const tor_op *op, int run) {
  TOR_CHECK(op->ninputs >= 1 && op->noutputs >= 1, TOR_ERR_SHAPE);
  const tor_tensor *in = tor_op_in(it, op, 0), *out = tor_op_out(it, op, 0);
  TOR_CHECK(in && out, TOR_ERR_SHAPE);
  TOR_CHECK(in->type == TOR_INT8 && out->type == TOR_FLOAT32, TOR_ERR_UNSUPPORTED_TYPE);
  TOR_CHECK(in->count == out->count, TOR_ERR_SHAPE);
  TOR_CHECK(in->nscales <= 1, TOR_ERR_QUANT);
  if (!run) return TOR_OK;
  const int8_t *src = (const int8_t *)tor_cdata(it, in);
  uint8_t *dst = tor_mdata(it, out);
  const double scale = (double)in->scale;
  for (uint32_t i = 0; i < in->count; i++)
    tor_st_f32(dst + 4 * i, (float)(scale * (double)((int32_t)src[i] - in->zero_point)));
  return TOR_OK;
}
