/* Shared validation for AVERAGE_POOL_2D and MAX_POOL_2D (int8, NHWC). */
#ifndef TOR_POOL_COMMON_H
#define TOR_POOL_COMMON_H

#include "../ops.h"

typedef struct {
  int32_t batches, in_h, in_w, c, out_h, out_w, f_h, f_w;
  int32_t stride_h, stride_w, pad_h, pad_w, act_min, act_max;
} pool_params;

static tor_status pool_prepare(tor_interp *it, const tor_op *op, pool_params *p) {
  TOR_CHECK(op->ninputs >= 1 && op->noutputs >= 1, TOR_ERR_SHAPE);
  const tor_tensor *in = tor_op_in(it, op, 0), *out = tor_op_out(it, op, 0);
  TOR_CHECK(in && out, TOR_ERR_SHAPE);
  TOR_CHECK(in->type == TOR_INT8 && out->type == TOR_INT8, TOR_ERR_UNSUPPORTED_TYPE);
  TOR_CHECK(in->ndims == 4 && out->ndims == 4 && op->options, TOR_ERR_SHAPE);
  fb_t fb = tor_fb(it);
  uint8_t padding = 0, act = 0;
  int32_t sw, sh, fw, fh;
  TOR_CHECK(fb_get_u8(&fb, op->options, 0, 0, &padding) && fb_get_i32(&fb, op->options, 1, 0, &sw) &&
            fb_get_i32(&fb, op->options, 2, 0, &sh) && fb_get_i32(&fb, op->options, 3, 0, &fw) &&
            fb_get_i32(&fb, op->options, 4, 0, &fh) && fb_get_u8(&fb, op->options, 5, 0, &act),
            TOR_ERR_FORMAT);
  p->batches = in->dims[0]; p->in_h = in->dims[1]; p->in_w = in->dims[2]; p->c = in->dims[3];
  p->f_h = fh; p->f_w = fw; p->stride_h = sh; p->stride_w = sw;
  TOR_CHECK(tor_window(p->in_h, fh, sh, 1, padding, &p->out_h, &p->pad_h) &&
            tor_window(p->in_w, fw, sw, 1, padding, &p->out_w, &p->pad_w), TOR_ERR_SHAPE);
  TOR_CHECK(out->dims[0] == p->batches && out->dims[1] == p->out_h && out->dims[2] == p->out_w &&
            out->dims[3] == p->c, TOR_ERR_SHAPE);
  tor_activation_range(act, out->scale, out->zero_point, -128, 127, &p->act_min, &p->act_max);
  return TOR_OK;
}

#endif
