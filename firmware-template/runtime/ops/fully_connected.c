/* FULLY_CONNECTED, int8 activations and weights [units, depth], int32 bias. */
#include "../dot.h"
#include "../ops.h"

typedef struct {
  int32_t depth, units;
  int32_t input_offset, filter_offset, output_offset, act_min, act_max;
} fc_params;

/* One unit's accumulator with asymmetric weights (a nonzero weight zero point, which TFLite's
 * int8 spec rules out but older models may carry). */
TOR_FALLBACK static uint32_t fc_unit_asymmetric(const fc_params *p, const int8_t *row, const int8_t *w) {
  uint32_t acc = 0;
  for (int32_t d = 0; d < p->depth; d++)
    acc += (uint32_t)(((int32_t)w[d] + p->filter_offset) * ((int32_t)row[d] + p->input_offset));
  return acc;
}

/* TFLM's FC multiplier: the input*filter product is taken in float, then widened. */
static int fc_multiplier(const tor_interp *it, const tor_tensor *in, const tor_tensor *w,
                         const tor_tensor *out, uint32_t unit, int32_t *mult, int *shift) {
  float prod = in->scale * tor_channel_scale(it, w, unit);
  return tor_quantize_scale_ratio(prod, 1.0f, out->scale, mult, shift);
}

tor_status tor_op_fully_connected(tor_interp *it, const tor_op *op, int run) {
  TOR_CHECK(op->ninputs >= 2 && op->noutputs >= 1, TOR_ERR_SHAPE);
  const tor_tensor *in = tor_op_in(it, op, 0), *w = tor_op_in(it, op, 1), *b = tor_op_in(it, op, 2);
  const tor_tensor *out = tor_op_out(it, op, 0);
  TOR_CHECK(in && w && out, TOR_ERR_SHAPE);
  TOR_CHECK(in->type == TOR_INT8 && w->type == TOR_INT8 && out->type == TOR_INT8,
            TOR_ERR_UNSUPPORTED_TYPE);
  TOR_CHECK(w->ndims == 2, TOR_ERR_SHAPE);
  fb_t fb = tor_fb(it);
  uint8_t act = 0, wfmt = 0;
  if (op->options)
    TOR_CHECK(fb_get_u8(&fb, op->options, 0, 0, &act) && fb_get_u8(&fb, op->options, 1, 0, &wfmt),
              TOR_ERR_FORMAT);
  TOR_CHECK(wfmt == 0, TOR_ERR_UNSUPPORTED_TYPE); /* shuffled weight formats */
  fc_params p;
  p.units = w->dims[0];
  p.depth = w->dims[1];
  TOR_CHECK(in->count % (uint32_t)p.depth == 0, TOR_ERR_SHAPE);
  const int32_t batches = (int32_t)(in->count / (uint32_t)p.depth);
  TOR_CHECK(out->count == (uint32_t)batches * (uint32_t)p.units, TOR_ERR_SHAPE);
  TOR_CHECK(!b || (b->type == TOR_INT32 && b->count == (uint32_t)p.units), TOR_ERR_SHAPE);
  TOR_CHECK(w->nscales <= 1 || w->nscales == (uint32_t)p.units, TOR_ERR_QUANT);
  TOR_CHECK(in->scale > 0.0f && out->scale > 0.0f, TOR_ERR_QUANT);
  p.input_offset = -in->zero_point;
  p.filter_offset = -w->zero_point;
  p.output_offset = out->zero_point;
  tor_activation_range(act, out->scale, out->zero_point, -128, 127, &p.act_min, &p.act_max);

  const int8_t *ind = (const int8_t *)tor_cdata(it, in), *wd = (const int8_t *)tor_cdata(it, w);
  const uint8_t *bd = b ? tor_cdata(it, b) : NULL;
  int8_t *outd = (int8_t *)tor_mdata(it, out);
  int32_t mult[2] = {0, 0};
  int shift[2] = {0, 0};
  /* Units two at a time: with symmetric weights both rows share one pass over the input. */
  for (int32_t u = 0; u < p.units; u += 2) {
    const int pair = u + 1 < p.units;
    for (int k = 0; k <= pair; k++)
      if (u + k == 0 || w->nscales > 1)
        TOR_CHECK(fc_multiplier(it, in, w, out, (uint32_t)(u + k), &mult[k], &shift[k]), TOR_ERR_QUANT);
    if (w->nscales <= 1) {
      mult[1] = mult[0];
      shift[1] = shift[0];
    }
    if (!run) continue;
    const int32_t bias[2] = {bd ? tor_ld_i32(bd + 4 * u) : 0, bd && pair ? tor_ld_i32(bd + 4 * (u + 1)) : 0};
    const int8_t *wa = wd + u * p.depth, *wb = pair ? wa + p.depth : wa; /* an odd last unit: twice */
    for (int32_t n = 0; n < batches; n++) {
      const int8_t *row = ind + n * p.depth;
      uint32_t acc[2] = {0, 0};
      if (p.filter_offset == 0) { /* int8 weights are symmetric: the usual case */
        tor_dot2_s8_offset(wa, wb, row, p.depth, p.input_offset, &acc[0], &acc[1]);
      } else {
        acc[0] = fc_unit_asymmetric(&p, row, wa);
        acc[1] = fc_unit_asymmetric(&p, row, wb);
      }
      for (int k = 0; k <= pair; k++)
        outd[n * p.units + u + k] = (int8_t)tor_offset_clamp(
            tor_mul_by_quantized_multiplier((int32_t)(acc[k] + (uint32_t)bias[k]), mult[k], shift[k]),
            p.output_offset, p.act_min, p.act_max);
    }
  }
  return TOR_OK;
}
