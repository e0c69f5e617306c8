/* LOGISTIC, int8 in, int8 out (scale 1/256, zero point -128): the input rescaled to Q4.27,
 * then the fixed-point logistic, as TFLite's reference int8 kernel computes it. */
#include <math.h>

#include "../ops.h"

#define LOGISTIC_INT_BITS 4

typedef struct {
  int32_t input_zero_point, radius, multiplier;
  int left_shift;
} logistic_params;

static int8_t logistic_s8(const logistic_params *p, int8_t x) {
  const int32_t in = (int32_t)x - p->input_zero_point;
  if (in <= -p->radius) return -128;
  if (in >= p->radius) return 127;
  int32_t q4 = tor_mul_by_quantized_multiplier(in, p->multiplier, p->left_shift);
  int32_t q0 = tor_logistic(q4, LOGISTIC_INT_BITS);
  int32_t v = tor_rounding_divide_by_pot(q0, 31 - 8) - 128;
  return (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
}

tor_status tor_op_logistic(tor_interp *it, const tor_op *op, int run) {
  TOR_CHECK(op->ninputs >= 1 && op->noutputs >= 1, TOR_ERR_SHAPE);
  const tor_tensor *in = tor_op_in(it, op, 0), *out = tor_op_out(it, op, 0);
  TOR_CHECK(in && out, TOR_ERR_SHAPE);
  TOR_CHECK(in->type == TOR_INT8 && out->type == TOR_INT8, TOR_ERR_UNSUPPORTED_TYPE);
  TOR_CHECK(in->count == out->count, TOR_ERR_SHAPE);
  TOR_CHECK(out->zero_point == -128 && in->scale > 0.0f, TOR_ERR_QUANT);
  logistic_params p;
  p.input_zero_point = in->zero_point;
  /* input scale in Q4.27: multiplier * 2^(shift-31) = scale * 2^27 */
  double real = (double)in->scale * (double)(1 << (31 - LOGISTIC_INT_BITS));
  TOR_CHECK(tor_quantize_multiplier(real, &p.multiplier, &p.left_shift) && p.left_shift >= 0 &&
            p.left_shift <= 30 && p.multiplier > 0, TOR_ERR_QUANT);
  double radius = 1.0 * ((1 << LOGISTIC_INT_BITS) - 1) * (double)(1ll << (31 - LOGISTIC_INT_BITS)) /
                  (double)(1ll << p.left_shift);
  p.radius = (int32_t)floor(radius);
  if (!run) return TOR_OK;
  const int8_t *src = (const int8_t *)tor_cdata(it, in);
  int8_t *dst = (int8_t *)tor_mdata(it, out);
  for (uint32_t i = 0; i < in->count; i++) dst[i] = logistic_s8(&p, src[i]);
  return TOR_OK;
}
