/* RELU6, int8: clamp to [quantized 0, quantized 6] in the input's scale (TFLM assumes
 * input and output share quantization). */
#include <math.h>

#include "../ops.h"

tor_status tor_op_relu6(tor_interp *it, const tor_op *op, int run) {
  TOR_CHECK(op->ninputs >= 1 && op->noutputs >= 1, TOR_ERR_SHAPE);
  const tor_tensor *in = tor_op_in(it, op, 0), *out = tor_op_out(it, op, 0);
  TOR_CHECK(in && out, TOR_ERR_SHAPE);
  TOR_CHECK(in->type == TOR_INT8 && out->type == TOR_INT8, TOR_ERR_UNSUPPORTED_TYPE);
  TOR_CHECK(in->count == out->count, TOR_ERR_SHAPE);
  TOR_CHECK(in->scale > 0.0f, TOR_ERR_QUANT);
  int32_t lo, hi;
  tor_activation_range(3, in->scale, in->zero_point, -128, 127, &lo, &hi);
  if (!run) return TOR_OK;
  const int8_t *src = (const int8_t *)tor_cdata(it, in);
  int8_t *dst = (int8_t *)tor_mdata(it, out);
  for (uint32_t i = 0; i < in->count; i++) {
    int32_t v = src[i];
    dst[i] = (int8_t)(v < lo ? lo : v > hi ? hi : v);
  }
  return TOR_OK;
}
