/* DEPTHWISE_CONV_2D, int8, per-channel weights [1, fh, fw, in_c * multiplier]. */
#include "../dot.h"
#include "../ops.h"

typedef struct {
  int32_t in_h, in_w, in_c, out_h, out_w, out_c, f_h, f_w, mult;
  int32_t stride_h, stride_w, dil_h, dil_w, pad_h, pad_w;
  int32_t input_offset, output_offset, act_min, act_max;
} dw_params;

/* Channels are done in blocks (tor_channel_block): for each output pixel and tap, the block's
 * input and filter bytes are contiguous (NHWC), so the inner loop streams instead of striding
 * by out_c. */

TOR_FALLBACK static void dw_block_s8(const dw_params *p, const tor_channel_block *b, const int8_t *in, const int8_t *filter,
                        int8_t *out) {
  uint32_t acc[TOR_CHANNEL_BLOCK];
  for (int32_t oy = 0; oy < p->out_h; oy++) {
    for (int32_t ox = 0; ox < p->out_w; ox++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h, ix0 = ox * p->stride_w - p->pad_w;
      for (int32_t c = 0; c < b->n; c++) acc[c] = (uint32_t)b->bias[c];
      for (int32_t fy = 0; fy < p->f_h; fy++) {
        const int32_t iy = iy0 + p->dil_h * fy;
        if (iy < 0 || iy >= p->in_h) continue;
        for (int32_t fx = 0; fx < p->f_w; fx++) {
          const int32_t ix = ix0 + p->dil_w * fx;
          if (ix < 0 || ix >= p->in_w) continue;
          const int8_t *fp = filter + (fy * p->f_w + fx) * p->out_c + b->oc0;
          const int8_t *ip = in + (iy * p->in_w + ix) * p->in_c;
          if (p->mult == 1) {
            ip += b->oc0;
            for (int32_t c = 0; c < b->n; c++)
              acc[c] += (uint32_t)((int32_t)fp[c] * ((int32_t)ip[c] + p->input_offset));
          } else {
            for (int32_t c = 0; c < b->n; c++)
              acc[c] += (uint32_t)((int32_t)fp[c] * ((int32_t)ip[(b->oc0 + c) / p->mult] + p->input_offset));
          }
        }
      }
      int8_t *op = out + (oy * p->out_w + ox) * p->out_c + b->oc0;
      for (int32_t c = 0; c < b->n; c++)
        op[c] = (int8_t)tor_offset_clamp(tor_mul_by_quantized_multiplier((int32_t)acc[c], b->mult[c], b->shift[c]),
                                         p->output_offset, p->act_min, p->act_max);
    }
  }
}

#ifdef TOR_DOT_DSP
/* The DSP path for a channel multiplier of 1 and no horizontal dilation: four channels at a
 * time, their accumulators in registers across the window. SXTAB16 adds the input offset to two
 * lanes at once and SMLABB/SMLATT multiply-accumulate each lane (wrapping, as the reference's
 * int32 sums do). Each window row's in-image taps are one run; a run of three (a 3x3 kernel away
 * from the edges) is unrolled. */
#define DW_MAX_ROWS 16

#define DW_TAP(X, F)                                                     \
  do {                                                                   \
    const uint32_t x_ = (X), f_ = (F);                                   \
    const tor_i16x2 x02 = tor_sxtab16(off2, x_), x13 = tor_lanes13_add(off2, x_); \
    const tor_i16x2 f02 = tor_lanes02(f_), f13 = tor_lanes13(f_);        \
    a0 = tor_smlabb(x02, f02, a0);                                         \
    a2 = tor_smlatt(x02, f02, a2);                                         \
    a1 = tor_smlabb(x13, f13, a1);                                         \
    a3 = tor_smlatt(x13, f13, a3);                                         \
  } while (0)

static void dw_block_dsp(const dw_params *p, const tor_channel_block *b, const int8_t *in, const int8_t *filter,
                         int8_t *out) {
  const uint32_t off2 = ((uint32_t)(uint16_t)p->input_offset << 16) | (uint16_t)p->input_offset;
  const int32_t cs = p->in_c; /* == out_c: the stride between taps in input and filter alike */
  const int8_t *row_in[DW_MAX_ROWS], *row_f[DW_MAX_ROWS];
  for (int32_t oy = 0; oy < p->out_h; oy++) {
    const int32_t iy0 = oy * p->stride_h - p->pad_h;
    for (int32_t ox = 0; ox < p->out_w; ox++) {
      const int32_t ix0 = ox * p->stride_w - p->pad_w;
      const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
      const int32_t fx1 = p->f_w < p->in_w - ix0 ? p->f_w : p->in_w - ix0;
      const int32_t run = fx1 - fx0;
      int32_t rows = 0;
      for (int32_t fy = 0; fy < p->f_h && run > 0; fy++) {
        const int32_t iy = iy0 + p->dil_h * fy;
        if (iy < 0 || iy >= p->in_h) continue;
        row_in[rows] = in + (iy * p->in_w + ix0 + fx0) * cs + b->oc0;
        row_f[rows++] = filter + (fy * p->f_w + fx0) * cs + b->oc0;
      }
      int8_t *op = out + (oy * p->out_w + ox) * p->out_c + b->oc0;
      for (int32_t c = 0; c < b->n; c += 4) {
        int32_t a0 = b->bias[c], a1 = b->bias[c + 1], a2 = b->bias[c + 2], a3 = b->bias[c + 3];
        if (rows == 3 && run == 3) { /* a 3x3 window inside the image: nine taps, no loop */
          for (int r = 0; r < 3; r++) {
            const int8_t *ip = row_in[r] + c, *fp = row_f[r] + c;
            DW_TAP(tor_ld32(ip), tor_ld32(fp));
            DW_TAP(tor_ld32(ip + cs), tor_ld32(fp + cs));
            DW_TAP(tor_ld32(ip + 2 * cs), tor_ld32(fp + 2 * cs));
          }
        } else {
          for (int32_t r = 0; r < rows; r++) {
            const int8_t *ip = row_in[r] + c, *fp = row_f[r] + c;
            for (int32_t t = 0; t < run; t++, ip += cs, fp += cs) DW_TAP(tor_ld32(ip), tor_ld32(fp));
          }
        }
        const int32_t acc[4] = {a0, a1, a2, a3};
        for (int k = 0; k < 4; k++)
          op[c + k] = (int8_t)tor_offset_clamp(
              tor_mul_by_quantized_multiplier(acc[k], b->mult[c + k], b->shift[c + k]), p->output_offset,
              p->act_min, p->act_max);
      }
    }
  }
}
#endif

tor_status tor_op_depthwise_conv2d(tor_interp *it, const tor_op *op, int run) {
  TOR_CHECK(op->ninputs >= 2 && op->noutputs >= 1, TOR_ERR_SHAPE);
  const tor_tensor *in = tor_op_in(it, op, 0), *w = tor_op_in(it, op, 1), *b = tor_op_in(it, op, 2);
  const tor_tensor *out = tor_op_out(it, op, 0);
  TOR_CHECK(in && w && out, TOR_ERR_SHAPE);
  TOR_CHECK(in->type == TOR_INT8 && w->type == TOR_INT8 && out->type == TOR_INT8,
            TOR_ERR_UNSUPPORTED_TYPE);
  TOR_CHECK(in->ndims == 4 && w->ndims == 4 && out->ndims == 4, TOR_ERR_SHAPE);
  fb_t fb = tor_fb(it);
  uint8_t padding = 0, act = 0;
  int32_t sw = 1, sh = 1, dm = 1, dw = 1, dh = 1;
  if (op->options) {
    TOR_CHECK(fb_get_u8(&fb, op->options, 0, 0, &padding) && fb_get_i32(&fb, op->options, 1, 0, &sw) &&
              fb_get_i32(&fb, op->options, 2, 0, &sh) && fb_get_i32(&fb, op->options, 3, 0, &dm) &&
              fb_get_u8(&fb, op->options, 4, 0, &act) && fb_get_i32(&fb, op->options, 5, 1, &dw) &&
              fb_get_i32(&fb, op->options, 6, 1, &dh), TOR_ERR_FORMAT);
  }
  (void)dm; /* the multiplier follows from the shapes, as TFLite Micro computes */
  dw_params p;
  const int32_t batches = in->dims[0];
  p.in_h = in->dims[1]; p.in_w = in->dims[2]; p.in_c = in->dims[3];
  p.f_h = w->dims[1]; p.f_w = w->dims[2]; p.out_c = w->dims[3];
  p.stride_h = sh; p.stride_w = sw; p.dil_h = dh; p.dil_w = dw;
  TOR_CHECK(w->dims[0] == 1 && p.out_c % p.in_c == 0, TOR_ERR_SHAPE);
  p.mult = p.out_c / p.in_c;
  TOR_CHECK(tor_window(p.in_h, p.f_h, sh, dh, padding, &p.out_h, &p.pad_h) &&
            tor_window(p.in_w, p.f_w, sw, dw, padding, &p.out_w, &p.pad_w), TOR_ERR_SHAPE);
  TOR_CHECK(out->dims[0] == batches && out->dims[1] == p.out_h && out->dims[2] == p.out_w &&
            out->dims[3] == p.out_c, TOR_ERR_SHAPE);
  TOR_CHECK(!b || (b->type == TOR_INT32 && b->count == (uint32_t)p.out_c), TOR_ERR_SHAPE);
  TOR_CHECK(w->nscales == 1 || w->nscales == (uint32_t)p.out_c, TOR_ERR_QUANT);
  TOR_CHECK(in->scale > 0.0f && out->scale > 0.0f, TOR_ERR_QUANT);
  p.input_offset = -in->zero_point;
  p.output_offset = out->zero_point;
  tor_activation_range(act, out->scale, out->zero_point, -128, 127, &p.act_min, &p.act_max);

  const int8_t *ind = (const int8_t *)tor_cdata(it, in), *wd = (const int8_t *)tor_cdata(it, w);
  int8_t *outd = (int8_t *)tor_mdata(it, out);
  const int32_t in_batch = p.in_h * p.in_w * p.in_c, out_batch = p.out_h * p.out_w * p.out_c;
  tor_channel_block blk;
  for (int32_t oc0 = 0; oc0 < p.out_c; oc0 += TOR_CHANNEL_BLOCK) {
    TOR_CHECK(tor_channel_block_load(it, in, w, b, out, oc0, p.out_c, &blk), TOR_ERR_QUANT);
    if (!run) continue;
    for (int32_t n = 0; n < batches; n++) {
#ifdef TOR_DOT_DSP
      if (p.mult == 1 && blk.n % 4 == 0 && p.dil_w == 1 && p.f_h <= DW_MAX_ROWS) {
        dw_block_dsp(&p, &blk, ind + n * in_batch, wd, outd + n * out_batch);
        continue;
      }
#endif
      dw_block_s8(&p, &blk, ind + n * in_batch, wd, outd + n * out_batch);
    }
  }
  return TOR_OK;
}
