#include "ops.h"

const tor_tensor *tor_op_in(const tor_interp *it, const tor_op *op, unsigned i) {
  if (i >= op->ninputs || op->inputs[i] < 0) return NULL;
  return &it->tensors[op->inputs[i]];
}

const tor_tensor *tor_op_out(const tor_interp *it, const tor_op *op, unsigned i) {
  if (i >= op->noutputs || op->outputs[i] < 0) return NULL;
  return &it->tensors[op->outputs[i]];
}

const uint8_t *tor_cdata(const tor_interp *it, const tor_tensor *t) {
  if (t->const_data) return t->const_data;
  return it->arena + t->arena_offset;
}

uint8_t *tor_mdata(tor_interp *it, const tor_tensor *t) { return it->arena + t->arena_offset; }

fb_t tor_fb(const tor_interp *it) {
  fb_t fb;
  fb.buf = it->model;
  fb.len = it->model_len;
  return fb;
}

int tor_same_shape(const tor_tensor *a, const tor_tensor *b) {
  if (a->ndims != b->ndims) return 0;
  for (unsigned i = 0; i < a->ndims; i++)
    if (a->dims[i] != b->dims[i]) return 0;
  return 1;
}

int32_t tor_ld_i32(const uint8_t *p) {
  int32_t v;
  memcpy(&v, p, 4);
  return v;
}

float tor_ld_f32(const uint8_t *p) {
  float v;
  memcpy(&v, p, 4);
  return v;
}

void tor_st_f32(uint8_t *p, float v) { memcpy(p, &v, 4); }

float tor_channel_scale(const tor_interp *it, const tor_tensor *t, uint32_t c) {
  if (t->nscales > 1 && t->scales && c < t->nscales) {
    fb_t fb = tor_fb(it);
    return fb_rd_f32(&fb, (uint32_t)(t->scales - it->model) + 4u * c);
  }
  return t->scale;
}

int tor_window(int32_t in, int32_t filter, int32_t stride, int32_t dilation, int padding,
               int32_t *out, int32_t *pad) {
  if (in <= 0 || filter <= 0 || stride <= 0 || dilation <= 0) return 0;
  int64_t eff = (int64_t)(filter - 1) * dilation + 1;
  int64_t o;
  if (padding == 0) /* SAME */
    o = ((int64_t)in + stride - 1) / stride;
  else if (padding == 1) /* VALID */
    o = ((int64_t)in - eff + stride) / stride;
  else
    return 0;
  if (o <= 0 || eff > 0x7fffffff) return 0;
  int64_t total = (o - 1) * stride + eff - in;
  if (total < 0) total = 0;
  if (total / 2 > 0x7fffffff) return 0;
  *out = (int32_t)o;
  *pad = (int32_t)(total / 2);
  return 1;
}

int tor_conv_multiplier(const tor_interp *it, const tor_tensor *in, const tor_tensor *filter,
                        const tor_tensor *out, uint32_t c, int32_t *mult, int *shift) {
  if (!(out->scale > 0.0f)) return 0;
  /* TFLite Micro: (double)input_scale * (double)filter_scale / (double)output_scale. */
  return tor_quantize_scale_ratio(in->scale, tor_channel_scale(it, filter, c), out->scale, mult, shift);
}

int tor_channel_block_load(const tor_interp *it, const tor_tensor *in, const tor_tensor *filter,
                           const tor_tensor *bias, const tor_tensor *out, int32_t oc0,
                           int32_t out_c, tor_channel_block *blk) {
  const uint8_t *bd = bias ? tor_cdata(it, bias) : NULL;
  blk->oc0 = oc0;
  blk->n = out_c - oc0 < TOR_CHANNEL_BLOCK ? out_c - oc0 : TOR_CHANNEL_BLOCK;
  for (int32_t c = 0; c < blk->n; c++) {
    if (!tor_conv_multiplier(it, in, filter, out, (uint32_t)(oc0 + c), &blk->mult[c], &blk->shift[c]))
      return 0;
    blk->bias[c] = bd ? tor_ld_i32(bd + 4 * (oc0 + c)) : 0;
  }
  return 1;
}

int tor_broadcast(const tor_tensor *a, const tor_tensor *b, const tor_tensor *out, tor_bcast *bc) {
  if (a->ndims > 4 || b->ndims > 4 || out->ndims > 4) return 0;
  int32_t da[4], db[4], dout[4];
  for (int i = 0; i < 4; i++) {
    int ia = i - (4 - a->ndims), ib = i - (4 - b->ndims), io = i - (4 - out->ndims);
    da[i] = ia >= 0 ? a->dims[ia] : 1;
    db[i] = ib >= 0 ? b->dims[ib] : 1;
    dout[i] = io >= 0 ? out->dims[io] : 1;
  }
  int32_t sa = 1, sb = 1;
  for (int i = 3; i >= 0; i--) {
    int32_t d = da[i] > db[i] ? da[i] : db[i];
    if ((da[i] != d && da[i] != 1) || (db[i] != d && db[i] != 1) || dout[i] != d) return 0;
    bc->out[i] = d;
    bc->s1[i] = da[i] == 1 ? 0 : sa;
    bc->s2[i] = db[i] == 1 ? 0 : sb;
    sa *= da[i];
    sb *= db[i];
  }
  return 1;
}
