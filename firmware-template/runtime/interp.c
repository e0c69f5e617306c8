/* Interpreter: load, validate every op, plan the arena from tensor lifetimes, invoke. */
#include <string.h>

#include "ops.h"

tor_status tor_load_model(tor_interp *it);

/* With TOR_SELECTED_OPS, only the operators given as TOR_USE_<NAME> are built in (CMake
 * RUNTIME_OPS); the others are reported as unsupported and cost no flash. */
static tor_kernel_fn kernel_for(int32_t builtin) {
  switch (builtin) {
#if !defined(TOR_SELECTED_OPS) || defined(TOR_USE_CONV_2D)
    case TOR_OP_CONV_2D: return tor_op_conv2d;
#endif
#if !defined(TOR_SELECTED_OPS) || defined(TOR_USE_DEPTHWISE_CONV_2D)
    case TOR_OP_DEPTHWISE_CONV_2D: return tor_op_depthwise_conv2d;
#endif
#if !defined(TOR_SELECTED_OPS) || defined(TOR_USE_FULLY_CONNECTED)
    case TOR_OP_FULLY_CONNECTED: return tor_op_fully_connected;
#endif
#if !defined(TOR_SELECTED_OPS) || defined(TOR_USE_AVERAGE_POOL_2D)
    case TOR_OP_AVERAGE_POOL_2D: return tor_op_avg_pool2d;
#endif
#if !defined(TOR_SELECTED_OPS) || defined(TOR_USE_MAX_POOL_2D)
    case TOR_OP_MAX_POOL_2D: return tor_op_max_pool2d;
#endif
#if !defined(TOR_SELECTED_OPS) || defined(TOR_USE_RESHAPE)
    case TOR_OP_RESHAPE: return tor_op_reshape;
#endif
#if !defined(TOR_SELECTED_OPS) || defined(TOR_USE_SOFTMAX)
    case TOR_OP_SOFTMAX: return tor_op_softmax;
#endif
#if !defined(TOR_SELECTED_OPS) || defined(TOR_USE_ADD)
    case TOR_OP_ADD: return tor_op_add;
#endif
#if !defined(TOR_SELECTED_OPS) || defined(TOR_USE_MUL)
    case TOR_OP_MUL: return tor_op_mul;
#endif
#if !defined(TOR_SELECTED_OPS) || defined(TOR_USE_QUANTIZE)
    case TOR_OP_QUANTIZE: return tor_op_quantize;
#endif
#if !defined(TOR_SELECTED_OPS) || defined(TOR_USE_DEQUANTIZE)
    case TOR_OP_DEQUANTIZE: return tor_op_dequantize;
#endif
#if !defined(TOR_SELECTED_OPS) || defined(TOR_USE_PAD)
    case TOR_OP_PAD: return tor_op_pad;
#endif
#if !defined(TOR_SELECTED_OPS) || defined(TOR_USE_CONCATENATION)
    case TOR_OP_CONCATENATION: return tor_op_concatenation;
#endif
#if !defined(TOR_SELECTED_OPS) || defined(TOR_USE_RELU)
    case TOR_OP_RELU: return tor_op_relu;
#endif
#if !defined(TOR_SELECTED_OPS) || defined(TOR_USE_RELU6)
    case TOR_OP_RELU6: return tor_op_relu6;
#endif
#if !defined(TOR_SELECTED_OPS) || defined(TOR_USE_LOGISTIC)
    case TOR_OP_LOGISTIC: return tor_op_logistic;
#endif
#if !defined(TOR_SELECTED_OPS) || defined(TOR_USE_MEAN)
    case TOR_OP_MEAN: return tor_op_mean;
#endif
    default: return NULL;
  }
}

static void use(tor_tensor *t, int16_t step) {
  if (t->first_use < 0 || step < t->first_use) t->first_use = step;
  if (step > t->last_use) t->last_use = step;
}

static uint64_t aligned_size(const tor_tensor *t) {
  return ((uint64_t)t->bytes + TOR_ARENA_ALIGN - 1) & ~(uint64_t)(TOR_ARENA_ALIGN - 1);
}

/* The model's own plan, checked before use: every arena tensor inside the arena, aligned, and
 * no two tensors that are live at the same step overlapping. */
static tor_status use_offline_plan(tor_interp *it) {
  fb_t fb = tor_fb(it);
  uint32_t used = 0;
  for (unsigned i = 0; i < it->ntensors; i++) {
    tor_tensor *t = &it->tensors[i];
    if (t->const_data || t->first_use < 0) continue;
    int32_t off = fb_rd_i32(&fb, it->offline_plan + 4u * i);
    if (off == -1) return TOR_ERR_STATE;
    if (off < 0 || off % 4 != 0) return TOR_ERR_FORMAT;
    if ((uint64_t)off + t->bytes > it->arena_size) return TOR_ERR_ARENA;
    t->arena_offset = off;
    if ((uint32_t)off + t->bytes > used) used = (uint32_t)off + t->bytes;
  }
  for (unsigned i = 0; i < it->ntensors; i++) {
    const tor_tensor *a = &it->tensors[i];
    if (a->const_data || a->first_use < 0) continue;
    for (unsigned j = i + 1; j < it->ntensors; j++) {
      const tor_tensor *b = &it->tensors[j];
      if (b->const_data || b->first_use < 0) continue;
      if (a->last_use < b->first_use || b->last_use < a->first_use) continue;
      if ((uint32_t)a->arena_offset < (uint32_t)b->arena_offset + b->bytes &&
          (uint32_t)b->arena_offset < (uint32_t)a->arena_offset + a->bytes)
        return TOR_ERR_FORMAT;
    }
  }
  it->arena_used = used;
  it->plan_offline = 1;
  return TOR_OK;
}

/* Greedy offline-style plan: largest tensors first, each at the lowest offset that
 * does not collide with an already placed tensor whose lifetime overlaps. */
static tor_status plan(tor_interp *it) {
  static const int16_t kEnd = 0x7fff;
  for (unsigned i = 0; i < it->ninputs; i++) use(&it->tensors[it->inputs[i]], 0);
  for (unsigned o = 0; o < it->nops; o++) {
    const tor_op *op = &it->ops[o];
    for (unsigned k = 0; k < op->ninputs; k++)
      if (op->inputs[k] >= 0 && !it->tensors[op->inputs[k]].const_data)
        use(&it->tensors[op->inputs[k]], (int16_t)o);
    for (unsigned k = 0; k < op->noutputs; k++) {
      tor_tensor *t = &it->tensors[op->outputs[k]];
      if (t->const_data) return TOR_ERR_FORMAT; /* an op may not write into flash */
      use(t, (int16_t)o);
    }
  }
  for (unsigned i = 0; i < it->noutputs; i++) {
    tor_tensor *t = &it->tensors[it->outputs[i]];
    if (t->const_data) return TOR_ERR_FORMAT;
    use(t, kEnd);
  }
  for (unsigned i = 0; i < it->ninputs; i++)
    if (it->tensors[it->inputs[i]].const_data) return TOR_ERR_FORMAT;

  if (it->offline_plan) {
    tor_status s = use_offline_plan(it);
    if (s != TOR_ERR_STATE) return s; /* TOR_ERR_STATE: the plan leaves tensors to plan online */
  }

  uint8_t placed[TOR_MAX_TENSORS];
  memset(placed, 0, sizeof placed);
  uint32_t used = 0;
  for (;;) {
    int best = -1;
    for (unsigned i = 0; i < it->ntensors; i++) {
      const tor_tensor *t = &it->tensors[i];
      if (placed[i] || t->const_data || t->first_use < 0) continue;
      if (best < 0 || t->bytes > it->tensors[best].bytes) best = (int)i;
    }
    if (best < 0) break;
    tor_tensor *t = &it->tensors[best];
    uint64_t size = aligned_size(t);
    uint64_t off = 0;
    int moved = 1;
    while (moved) {
      moved = 0;
      for (unsigned j = 0; j < it->ntensors; j++) {
        const tor_tensor *p = &it->tensors[j];
        if (!placed[j] || p->last_use < t->first_use || p->first_use > t->last_use) continue;
        uint64_t pend = (uint64_t)p->arena_offset + aligned_size(p);
        if (off < pend && (uint64_t)p->arena_offset < off + size) {
          off = pend;
          moved = 1;
        }
      }
    }
    if (off + size > it->arena_size) return TOR_ERR_ARENA;
    t->arena_offset = (int32_t)off;
    placed[best] = 1;
    if (off + size > used) used = (uint32_t)(off + size);
  }
  it->arena_used = used;
  return TOR_OK;
}

tor_status tor_init(tor_interp *it, const uint8_t *model, uint32_t model_len, uint8_t *arena,
                    uint32_t arena_size) {
  if (!it) return TOR_ERR_ARG;
  memset(it, 0, sizeof *it);
  it->failed_op = -1;
  if (!model || !arena || ((uintptr_t)model & 3u) || ((uintptr_t)arena & (TOR_ARENA_ALIGN - 1)))
    return TOR_ERR_ARG;
  it->model = model;
  it->model_len = model_len;
  it->arena = arena;
  it->arena_size = arena_size;
  tor_status s = tor_load_model(it);
  if (s != TOR_OK) return s;
  for (unsigned o = 0; o < it->nops; o++) {
    tor_kernel_fn fn = kernel_for(it->ops[o].builtin);
    it->failed_op = (int32_t)o;
    if (!fn) return TOR_ERR_UNSUPPORTED_OP;
    for (unsigned k = 0; k < it->ops[o].ninputs + it->ops[o].noutputs; k++) {
      int16_t ti = k < it->ops[o].ninputs ? it->ops[o].inputs[k] : it->ops[o].outputs[k - it->ops[o].ninputs];
      if (ti >= 0 && it->tensors[ti].count == 0) return TOR_ERR_SHAPE;
    }
    s = fn(it, &it->ops[o], 0);
    if (s != TOR_OK) return s;
  }
  it->failed_op = -1;
  s = plan(it);
  if (s != TOR_OK) return s;
  memset(arena, 0, it->arena_used);
  it->prepared = 1;
  return TOR_OK;
}

tor_status tor_invoke(tor_interp *it) {
  if (!it || !it->prepared) return TOR_ERR_STATE;
  for (unsigned o = 0; o < it->nops; o++) {
    uint32_t t0 = it->clock ? it->clock() : 0;
    tor_status s = kernel_for(it->ops[o].builtin)(it, &it->ops[o], 1);
    if (it->clock) it->op_ticks[o] = it->clock() - t0;
    if (s != TOR_OK) {
      it->failed_op = (int32_t)o;
      return s;
    }
  }
  return TOR_OK;
}

uint8_t *tor_input(tor_interp *it, unsigned index, uint32_t *bytes) {
  if (!it || !it->prepared || index >= it->ninputs) return NULL;
  const tor_tensor *t = &it->tensors[it->inputs[index]];
  if (bytes) *bytes = t->bytes;
  return it->arena + t->arena_offset;
}

const uint8_t *tor_output(tor_interp *it, unsigned index, uint32_t *bytes) {
  if (!it || !it->prepared || index >= it->noutputs) return NULL;
  const tor_tensor *t = &it->tensors[it->outputs[index]];
  if (bytes) *bytes = t->bytes;
  return it->arena + t->arena_offset;
}

const char *tor_status_name(tor_status s) {
  switch (s) {
    case TOR_OK: return "ok";
    case TOR_ERR_FORMAT: return "malformed model";
    case TOR_ERR_UNSUPPORTED_OP: return "unsupported operator";
    case TOR_ERR_UNSUPPORTED_TYPE: return "unsupported tensor type";
    case TOR_ERR_SHAPE: return "inconsistent tensor shapes";
    case TOR_ERR_QUANT: return "bad quantization parameters";
    case TOR_ERR_LIMIT: return "model exceeds the runtime's capacity";
    case TOR_ERR_ARENA: return "arena too small";
    case TOR_ERR_ARG: return "bad argument";
    case TOR_ERR_STATE: return "not initialised";
  }
  return "unknown";
}
