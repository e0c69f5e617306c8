/* PAD, int8 (up to 4D): constant padding with the output zero point (quantized 0). */
#include "../ops.h"

tor_status tor_op_pad(tor_interp *it, const tor_op *op, int run) {
  TOR_CHECK(op->ninputs >= 2 && op->noutputs >= 1, TOR_ERR_SHAPE);
  const tor_tensor *in = tor_op_in(it, op, 0), *pads = tor_op_in(it, op, 1), *out = tor_op_out(it, op, 0);
  TOR_CHECK(in && pads && out, TOR_ERR_SHAPE);
  TOR_CHECK(in->type == TOR_INT8 && out->type == TOR_INT8 && pads->type == TOR_INT32,
            TOR_ERR_UNSUPPORTED_TYPE);
  TOR_CHECK(pads->const_data && in->ndims <= 4 && in->ndims == out->ndims &&
            pads->count == 2u * in->ndims, TOR_ERR_SHAPE);
  int32_t before[4] = {0, 0, 0, 0}, idims[4] = {1, 1, 1, 1}, odims[4] = {1, 1, 1, 1};
  const int lead = 4 - in->ndims;
  for (unsigned d = 0; d < in->ndims; d++) {
    int32_t b = tor_ld_i32(pads->const_data + 8 * d), a = tor_ld_i32(pads->const_data + 8 * d + 4);
    TOR_CHECK(b >= 0 && a >= 0 && (int64_t)in->dims[d] + b + a == out->dims[d], TOR_ERR_SHAPE);
    before[lead + d] = b;
    idims[lead + d] = in->dims[d];
    odims[lead + d] = out->dims[d];
  }
  if (!run) return TOR_OK;
  const int8_t *src = (const int8_t *)tor_cdata(it, in);
  int8_t *dst = (int8_t *)tor_mdata(it, out);
  memset(dst, (int8_t)out->zero_point, out->count);
  for (int32_t i0 = 0; i0 < idims[0]; i0++)
    for (int32_t i1 = 0; i1 < idims[1]; i1++)
      for (int32_t i2 = 0; i2 < idims[2]; i2++) {
        int32_t o = (((i0 + before[0]) * odims[1] + i1 + before[1]) * odims[2] + i2 + before[2]) * odims[3] +
                    before[3];
        int32_t s = ((i0 * idims[1] + i1) * idims[2] + i2) * idims[3];
        memmove(dst + o, src + s, (size_t)idims[3]); /* memmove: a malformed model may alias in and out */
      }
  return TOR_OK;
}
