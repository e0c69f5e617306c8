/* RESHAPE: same bytes, new shape (the output tensor carries the shape). */
#include "../ops.h"

tor_status tor_op_reshape(tor_interp *it, const tor_op *op, int run) {
  TOR_CHECK(op->ninputs >= 1 && op->noutputs >= 1, TOR_ERR_SHAPE);
  const tor_tensor *in = tor_op_in(it, op, 0), *out = tor_op_out(it, op, 0);
  TOR_CHECK(in && out, TOR_ERR_SHAPE);
  TOR_CHECK(in->type == out->type, TOR_ERR_UNSUPPORTED_TYPE);
  TOR_CHECK(in->bytes == out->bytes, TOR_ERR_SHAPE);
  if (run) {
    const uint8_t *src = tor_cdata(it, in);
    uint8_t *dst = tor_mdata(it, out);
    if (src != dst) memmove(dst, src, out->bytes);
  }
  return TOR_OK;
}
