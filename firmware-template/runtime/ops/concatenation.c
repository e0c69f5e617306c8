/* CONCATENATION along one axis, any type with equal quantization (bytes are copied). */
#include "../ops.h"

tor_status tor_op_concatenation(tor_interp *it, const tor_op *op, int run) {
  TOR_CHECK(op->ninputs >= 1 && op->noutputs >= 1, TOR_ERR_SHAPE);
  const tor_tensor *out = tor_op_out(it, op, 0);
  TOR_CHECK(out && out->ndims >= 1, TOR_ERR_SHAPE);
  int32_t axis = 0;
  uint8_t act = 0;
  fb_t fb = tor_fb(it);
  if (op->options)
    TOR_CHECK(fb_get_i32(&fb, op->options, 0, 0, &axis) && fb_get_u8(&fb, op->options, 1, 0, &act),
              TOR_ERR_FORMAT);
  if (axis < 0) axis += out->ndims;
  TOR_CHECK(axis >= 0 && axis < out->ndims && act == 0, TOR_ERR_SHAPE);
  const uint32_t es = out->bytes / (out->count ? out->count : 1);
  uint64_t outer = 1, inner = es, total_axis = 0;
  for (int d = 0; d < axis; d++) outer *= (uint64_t)out->dims[d];
  for (int d = axis + 1; d < out->ndims; d++) inner *= (uint64_t)out->dims[d];
  for (unsigned k = 0; k < op->ninputs; k++) {
    const tor_tensor *in = tor_op_in(it, op, k);
    TOR_CHECK(in && in->type == out->type && in->ndims == out->ndims, TOR_ERR_SHAPE);
    TOR_CHECK(in->scale == out->scale && in->zero_point == out->zero_point, TOR_ERR_QUANT);
    for (int d = 0; d < out->ndims; d++)
      TOR_CHECK(d == axis || in->dims[d] == out->dims[d], TOR_ERR_SHAPE);
    total_axis += (uint64_t)in->dims[axis];
  }
  TOR_CHECK(total_axis == (uint64_t)out->dims[axis], TOR_ERR_SHAPE);
  if (!run) return TOR_OK;
  uint8_t *dst = tor_mdata(it, out);
  const uint64_t out_row = (uint64_t)out->dims[axis] * inner;
  uint64_t col = 0;
  for (unsigned k = 0; k < op->ninputs; k++) {
    const tor_tensor *in = tor_op_in(it, op, k);
    const uint8_t *src = tor_cdata(it, in);
    const uint64_t row = (uint64_t)in->dims[axis] * inner;
    for (uint64_t o = 0; o < outer; o++) memmove(dst + o * out_row + col, src + o * row, (size_t)row);
    col += row;
  }
  return TOR_OK;
}
