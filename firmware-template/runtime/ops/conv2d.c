/* CONV_2D, int8 activations, int8 per-channel (or per-tensor) weights, int32 bias. */
#include "../dot.h"
#include "../ops.h"

typedef struct {
  int32_t in_h, in_w, in_c, out_h, out_w, out_c, f_h, f_w;
  int32_t stride_h, stride_w, dil_h, dil_w, pad_h, pad_w;
  int32_t input_offset, output_offset, act_min, act_max;
} conv_params;

/* One output channel of one batch: the reference accumulation order of TFLite Micro. */
TOR_FALLBACK static void conv_channel_s8(const conv_params *p, const int8_t *in, const int8_t *filter,
                            int32_t bias, int32_t mult, int shift, int8_t *out, int32_t oc) {
  for (int32_t oy = 0; oy < p->out_h; oy++) {
    for (int32_t ox = 0; ox < p->out_w; ox++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h, ix0 = ox * p->stride_w - p->pad_w;
      uint32_t acc = 0; /* wraps like the reference's int32 on overflow, without UB */
      for (int32_t fy = 0; fy < p->f_h; fy++) {
        const int32_t iy = iy0 + p->dil_h * fy;
        if (iy < 0 || iy >= p->in_h) continue;
        if (p->dil_w == 1) {
          /* Undilated: the in-image part of a filter row is one contiguous run in both the
           * input and the filter, so one dot product covers it. */
          const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
          const int32_t fx1 = p->f_w < p->in_w - ix0 ? p->f_w : p->in_w - ix0;
          if (fx1 > fx0)
            acc = tor_dot_s8_offset(filter + (fy * p->f_w + fx0) * p->in_c,
                                    in + (iy * p->in_w + ix0 + fx0) * p->in_c, (fx1 - fx0) * p->in_c,
                                    p->input_offset, acc);
          continue;
        }
        for (int32_t fx = 0; fx < p->f_w; fx++) {
          const int32_t ix = ix0 + p->dil_w * fx;
          if (ix < 0 || ix >= p->in_w) continue;
          const int8_t *ip = in + (iy * p->in_w + ix) * p->in_c;
          const int8_t *fp = filter + (fy * p->f_w + fx) * p->in_c;
          acc = tor_dot_s8_offset(fp, ip, p->in_c, p->input_offset, acc);
        }
      }
      acc += (uint32_t)bias;
      int32_t v = tor_offset_clamp(tor_mul_by_quantized_multiplier((int32_t)acc, mult, shift),
                                   p->output_offset, p->act_min, p->act_max);
      out[(oy * p->out_w + ox) * p->out_c + oc] = (int8_t)v;
    }
  }
}

#ifdef TOR_DOT_DSP
/* The DSP path (Cortex-M4/M7/M33): for each output pixel the receptive field is gathered once
 * as int16 (x + input offset; 0 where the window hangs over the edge, which adds nothing, as the
 * reference skips those taps), then every output channel of a block takes its dot product with
 * it, two channels per pass so each column load serves both. Integer sums wrap the same in any
 * order, so the bits equal the reference path's. */
#define CONV_COL_MAX 1024 /* int16 elements of column buffer on the stack (2 KB): one
                            * receptive field, or two of up to half the size */

/* `n` input bytes plus the offset into the column at `col`: four at a time through SXTAB16
 * (stored x0,x2,x1,x3) when `grouped`, else one by one in natural order. */
static inline void conv_col_run(const int8_t *ip, int16_t *col, int32_t n, int32_t offset,
                                uint32_t off2, int grouped) {
  if (grouped) {
    for (int32_t c = 0; c < n; c += 4) {
      const uint32_t w = tor_ld32(ip + c);
      const int32_t x02 = tor_sxtab16(off2, w), x13 = tor_lanes13_add(off2, w);
      memcpy(col + c, &x02, 4);
      memcpy(col + c + 2, &x13, 4);
    }
  } else {
    for (int32_t c = 0; c < n; c++) col[c] = (int16_t)((int32_t)ip[c] + offset);
  }
}

/* One output pixel's receptive field into `col`, each whole group of four elements stored as
 * x0,x2,x1,x3 to match SXTB16's split of four filter bytes into (f0,f2) and (f1,f3); the tail
 * of fewer than four stays in natural order. */
static void conv_col(const conv_params *p, const int8_t *in, int32_t oy, int32_t ox, int16_t *col) {
  const int32_t iy0 = oy * p->stride_h - p->pad_h, ix0 = ox * p->stride_w - p->pad_w;
  const int32_t full4 = (p->f_h * p->f_w * p->in_c) & ~3, row = p->f_w * p->in_c;
  const uint32_t off2 = ((uint32_t)(uint16_t)p->input_offset << 16) | (uint16_t)p->input_offset;
  const int grouped = (p->in_c & 3) == 0;
  /* Undilated rows: the in-image taps of a filter row are one run in the input and the column. */
  int32_t fx0 = 0, fx1 = p->f_w;
  if (p->dil_w == 1) {
    fx0 = ix0 < 0 ? -ix0 : 0;
    fx1 = p->f_w < p->in_w - ix0 ? p->f_w : p->in_w - ix0;
    if (fx1 < fx0) fx1 = fx0;
  }
  for (int32_t fy = 0, k = 0; fy < p->f_h; fy++, k += row) {
    const int32_t iy = iy0 + p->dil_h * fy;
    if (iy < 0 || iy >= p->in_h) {
      for (int32_t c = 0; c < row; c++) col[k + c] = 0; /* zeros: any order */
      continue;
    }
    if (p->dil_w == 1) {
      for (int32_t c = 0; c < fx0 * p->in_c; c++) col[k + c] = 0;
      conv_col_run(in + (iy * p->in_w + ix0 + fx0) * p->in_c, col + k + fx0 * p->in_c,
                   (fx1 - fx0) * p->in_c, p->input_offset, off2, grouped);
      for (int32_t c = fx1 * p->in_c; c < row; c++) col[k + c] = 0;
      continue;
    }
    for (int32_t fx = 0; fx < p->f_w; fx++) {
      const int32_t ix = ix0 + p->dil_w * fx;
      int16_t *cp = col + k + fx * p->in_c;
      if (ix < 0 || ix >= p->in_w) {
        for (int32_t c = 0; c < p->in_c; c++) cp[c] = 0;
        continue;
      }
      conv_col_run(in + (iy * p->in_w + ix) * p->in_c, cp, p->in_c, p->input_offset, off2, grouped);
    }
  }
  if (!grouped) /* filled in natural order: swap the middle pair of every whole group */
    for (int32_t g = 0; g < full4; g += 4) {
      const int16_t t = col[g + 1];
      col[g + 1] = col[g + 2];
      col[g + 2] = t;
    }
}

static inline void conv_store(const conv_params *p, const tor_channel_block *b, int8_t *op, int32_t c,
                              uint32_t acc) {
  op[c] = (int8_t)tor_offset_clamp(tor_mul_by_quantized_multiplier((int32_t)acc, b->mult[c], b->shift[c]),
                                   p->output_offset, p->act_min, p->act_max);
}

/* Output pixels two at a time (their columns side by side) when a receptive field fits half the
 * buffer, else one at a time; channels two at a time. An odd channel at the end runs the kernel
 * with its filter twice and keeps one result. */
static void conv_block_dsp(const conv_params *p, const tor_channel_block *b, const int8_t *in,
                           const int8_t *filter, int8_t *out) {
  int16_t col[CONV_COL_MAX] __attribute__((aligned(4)));
  int16_t *const col1 = col + CONV_COL_MAX / 2; /* the second pixel's, when two fit */
  const int32_t f_size = p->f_h * p->f_w * p->in_c, pixels = p->out_h * p->out_w;
  const int32_t step = f_size <= CONV_COL_MAX / 2 ? 2 : 1;
  for (int32_t px = 0; px < pixels; px += step) {
    const int two = step == 2 && px + 1 < pixels;
    conv_col(p, in, px / p->out_w, px % p->out_w, col);
    if (two) conv_col(p, in, (px + 1) / p->out_w, (px + 1) % p->out_w, col1);
    int8_t *o0 = out + px * p->out_c + b->oc0, *o1 = o0 + p->out_c;
    for (int32_t c = 0; c < b->n; c += 2) {
      const int8_t *fa = filter + (b->oc0 + c) * f_size;
      const int pair = c + 1 < b->n;
      const int8_t *fb = pair ? fa + f_size : fa;
      const uint32_t ba = (uint32_t)b->bias[c], bb = pair ? (uint32_t)b->bias[c + 1] : 0u;
      uint32_t acc[4] = {ba, bb, ba, bb};
      if (two)
        tor_dot2x2_s16col(col, col1, fa, fb, f_size, acc);
      else
        tor_dot2_s16col(col, fa, fb, f_size, &acc[0], &acc[1]);
      conv_store(p, b, o0, c, acc[0]);
      if (pair) conv_store(p, b, o0, c + 1, acc[1]);
      if (two) {
        conv_store(p, b, o1, c, acc[2]);
        if (pair) conv_store(p, b, o1, c + 1, acc[3]);
      }
    }
  }
}
#endif

tor_status tor_op_conv2d(tor_interp *it, const tor_op *op, int run) {
  TOR_CHECK(op->ninputs >= 2 && op->noutputs >= 1, TOR_ERR_SHAPE);
  const tor_tensor *in = tor_op_in(it, op, 0), *w = tor_op_in(it, op, 1), *b = tor_op_in(it, op, 2);
  const tor_tensor *out = tor_op_out(it, op, 0);
  TOR_CHECK(in && w && out, TOR_ERR_SHAPE);
  TOR_CHECK(in->type == TOR_INT8 && w->type == TOR_INT8 && out->type == TOR_INT8,
            TOR_ERR_UNSUPPORTED_TYPE);
  TOR_CHECK(in->ndims == 4 && w->ndims == 4 && out->ndims == 4, TOR_ERR_SHAPE);
  fb_t fb = tor_fb(it);
  uint8_t padding = 0, act = 0;
  int32_t sw = 1, sh = 1, dw = 1, dh = 1;
  if (op->options) {
    TOR_CHECK(fb_get_u8(&fb, op->options, 0, 0, &padding) && fb_get_i32(&fb, op->options, 1, 0, &sw) &&
              fb_get_i32(&fb, op->options, 2, 0, &sh) && fb_get_u8(&fb, op->options, 3, 0, &act) &&
              fb_get_i32(&fb, op->options, 4, 1, &dw) && fb_get_i32(&fb, op->options, 5, 1, &dh),
              TOR_ERR_FORMAT);
  }
  conv_params p;
  const int32_t batches = in->dims[0];
  p.in_h = in->dims[1]; p.in_w = in->dims[2]; p.in_c = in->dims[3];
  p.out_c = w->dims[0]; p.f_h = w->dims[1]; p.f_w = w->dims[2];
  p.stride_h = sh; p.stride_w = sw; p.dil_h = dh; p.dil_w = dw;
  TOR_CHECK(w->dims[3] == p.in_c, TOR_ERR_SHAPE);
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
  const uint8_t *bd = b ? tor_cdata(it, b) : NULL;
  int8_t *outd = (int8_t *)tor_mdata(it, out);
  const int32_t in_batch = p.in_h * p.in_w * p.in_c, out_batch = p.out_h * p.out_w * p.out_c;
  const int32_t f_size = p.f_h * p.f_w * p.in_c;
#ifdef TOR_DOT_DSP
  if (f_size <= CONV_COL_MAX) {
    tor_channel_block blk;
    for (int32_t oc0 = 0; oc0 < p.out_c; oc0 += TOR_CHANNEL_BLOCK) {
      TOR_CHECK(tor_channel_block_load(it, in, w, b, out, oc0, p.out_c, &blk), TOR_ERR_QUANT);
      if (!run) continue;
      for (int32_t n = 0; n < batches; n++)
        conv_block_dsp(&p, &blk, ind + n * in_batch, wd, outd + n * out_batch);
    }
    return TOR_OK;
  }
#endif
  for (int32_t oc = 0; oc < p.out_c; oc++) {
    int32_t mult;
    int shift;
    TOR_CHECK(tor_conv_multiplier(it, in, w, out, (uint32_t)oc, &mult, &shift), TOR_ERR_QUANT);
    if (!run) continue;
    int32_t bias = bd ? tor_ld_i32(bd + 4 * oc) : 0;
    for (int32_t n = 0; n < batches; n++)
      conv_channel_s8(&p, ind + n * in_batch, wd + oc * f_size, bias, mult, shift,
                      outd + n * out_batch, oc);
  }
  return TOR_OK;
}
