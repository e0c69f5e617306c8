/* MAX_POOL_2D, int8. */
#include "pool_common.h"

static void max_pool_s8(const pool_params *p, const int8_t *in, int8_t *out) {
  for (int32_t n = 0; n < p->batches; n++)
    for (int32_t oy = 0; oy < p->out_h; oy++)
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const int32_t iy0 = oy * p->stride_h - p->pad_h, ix0 = ox * p->stride_w - p->pad_w;
        const int32_t fy0 = iy0 < 0 ? -iy0 : 0, fx0 = ix0 < 0 ? -ix0 : 0;
        const int32_t fy1 = p->f_h < p->in_h - iy0 ? p->f_h : p->in_h - iy0;
        const int32_t fx1 = p->f_w < p->in_w - ix0 ? p->f_w : p->in_w - ix0;
        for (int32_t c = 0; c < p->c; c++) {
          int32_t m = -128;
          for (int32_t fy = fy0; fy < fy1; fy++)
            for (int32_t fx = fx0; fx < fx1; fx++) {
              int32_t v = in[((n * p->in_h + iy0 + fy) * p->in_w + ix0 + fx) * p->c + c];
              if (v > m) m = v;
            }
          if (m < p->act_min) m = p->act_min;
          if (m > p->act_max) m = p->act_max;
          out[((n * p->out_h + oy) * p->out_w + ox) * p->c + c] = (int8_t)m;
        }
      }
}

tor_status tor_op_max_pool2d(tor_interp *it, const tor_op *op, int run) {
  pool_params p;
  tor_status s = pool_prepare(it, op, &p);
  if (s != TOR_OK || !run) return s;
  max_pool_s8(&p, (const int8_t *)tor_cdata(it, tor_op_in(it, op, 0)),
              (int8_t *)tor_mdata(it, tor_op_out(it, op, 0)));
  return TOR_OK;
}
