/* QUANTIZE: float32 -> int8 (round half away from zero, as TFLite), or int8 -> int8 requantize. */
#include <math.h>

#include "../ops.h"

static int8_t quantize_f32(float v, float scale, int32_t zp) {
  float q = roundf(v / scale);
  /* clamp in float first: converting an out-of-range float to int is undefined */
  if (!(q >= -1000.0f)) q = -1000.0f; /* also catches NaN */
  if (q > 1000.0f) q = 1000.0f;
  int32_t r = (int32_t)q + zp;
  return (int8_t)(r < -128 ? -128 : r > 127 ? 127 : r);
}

tor_status tor_op_quantize(tor_interp *it, const tor_op *op, int run) {
  TOR_CHECK(op->ninputs >= 1 && op->noutputs >= 1, TOR_ERR_SHAPE);
  const tor_tensor *in = tor_op_in(it, op, 0), *out = tor_op_out(it, op, 0);
  TOR_CHECK(in && out, TOR_ERR_SHAPE);
  TOR_CHECK(out->type == TOR_INT8 && (in->type == TOR_FLOAT32 || in->type == TOR_INT8),
            TOR_ERR_UNSUPPORTED_TYPE);
  TOR_CHECK(in->count == out->count, TOR_ERR_SHAPE);
  TOR_CHECK(out->scale > 0.0f && out->nscales <= 1, TOR_ERR_QUANT);
  int32_t mult = 0;
  int shift = 0;
  if (in->type == TOR_INT8)
    TOR_CHECK(in->scale > 0.0f &&
              tor_quantize_multiplier((double)in->scale / (double)out->scale, &mult, &shift),
              TOR_ERR_QUANT);
  if (!run) return TOR_OK;
  const uint8_t *src = tor_cdata(it, in);
  int8_t *dst = (int8_t *)tor_mdata(it, out);
  for (uint32_t i = 0; i < out->count; i++) {
    if (in->type == TOR_FLOAT32) {
      dst[i] = quantize_f32(tor_ld_f32(src + 4 * i), out->scale, out->zero_point);
    } else {
      int32_t v = tor_mul_by_quantized_multiplier((int32_t)(int8_t)src[i] - in->zero_point, mult, shift);
      dst[i] = (int8_t)tor_offset_clamp(v, out->zero_point, -128, 127);
    }
  }
  return TOR_OK;
}
