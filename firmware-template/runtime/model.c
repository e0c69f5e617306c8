/* Reads the TFLite flatbuffer into the interpreter's fixed tables, verifying
 * every offset, length and index on the way (schema field ids from tflite_schema.fbs). */
#include <string.h>

#include "fb.h"
#include "tor.h"

tor_status tor_load_model(tor_interp *it);

#define MAX_ELEMS (1u << 28)
#define FMT(cond) \
  do {            \
    if (!(cond)) return TOR_ERR_FORMAT; \
  } while (0)

static int type_size(uint8_t type) {
  switch (type) {
    case TOR_FLOAT32: case TOR_INT32: return 4;
    case TOR_INT8: case TOR_UINT8: return 1;
    case TOR_INT16: return 2;
    case TOR_INT64: return 8;
    default: return 0;
  }
}

static tor_status load_tensor(tor_interp *it, const fb_t *fb, uint32_t t, uint32_t buffers,
                              uint32_t nbuffers, tor_tensor *out) {
  uint32_t shape, ndims, bufidx;
  int r = fb_get_vector(fb, t, 0, 4, &shape, &ndims);
  FMT(r >= 0);
  if (r == 0) ndims = 0;
  if (ndims > TOR_MAX_DIMS) return TOR_ERR_LIMIT;
  out->ndims = (uint8_t)ndims;
  uint64_t count = 1;
  for (uint32_t d = 0; d < ndims; d++) {
    int32_t v = fb_rd_i32(fb, shape + 4 * d);
    if (v <= 0) v = 0; /* dynamic or empty: refused later, only if an op uses it */
    out->dims[d] = v;
    count *= (uint64_t)v;
    if (count > MAX_ELEMS) return TOR_ERR_LIMIT;
  }
  FMT(fb_get_u8(fb, t, 1, 0, &out->type));
  int es = type_size(out->type);
  out->count = (uint32_t)count;
  out->bytes = (uint32_t)(count * (uint64_t)(es ? es : 1));
  out->arena_offset = -1;
  out->first_use = out->last_use = -1;
  out->zero_point = 0;
  out->scale = 0.0f;
  out->scales = NULL;
  out->nscales = 0;
  out->qdim = 0;
  out->const_data = NULL;

  FMT(fb_get_u32(fb, t, 2, 0, &bufidx));
  FMT(bufidx < nbuffers);
  uint32_t buf = fb_vec_table(fb, buffers, nbuffers, bufidx);
  FMT(buf != 0);
  uint32_t data, n;
  r = fb_get_vector(fb, buf, 0, 1, &data, &n);
  FMT(r >= 0);
  uint32_t ext_off, ext_size;
  if (fb_field(fb, buf, 1, 8)) { /* data outside the flatbuffer (models > 2 GB) */
    FMT(fb_get_u32(fb, buf, 1, 0, &ext_off));
    FMT(fb_get_u32(fb, buf, 2, 0, &ext_size));
    if (ext_off > 1) return TOR_ERR_UNSUPPORTED_TYPE;
  }
  if (r == 1 && n > 0) {
    if (es == 0) return TOR_ERR_UNSUPPORTED_TYPE;
    FMT(n == out->bytes);
    out->const_data = fb->buf + data;
    /* Kernels read multi-byte constants in place: they must be naturally aligned. */
    FMT(((uintptr_t)out->const_data % (uintptr_t)(es > 4 ? 4 : es)) == 0);
  }

  uint32_t q;
  r = fb_get_table(fb, t, 4, &q);
  FMT(r >= 0);
  if (r == 1) {
    uint32_t sv, ns, zv, nz;
    int rs = fb_get_vector(fb, q, 2, 4, &sv, &ns);
    int rz = fb_get_vector(fb, q, 3, 8, &zv, &nz);
    FMT(rs >= 0 && rz >= 0);
    if (rs == 1 && ns > 0) {
      out->scale = fb_rd_f32(fb, sv);
      out->scales = fb->buf + sv;
      out->nscales = ns;
    }
    if (rz == 1 && nz > 0) {
      int32_t lo = fb_rd_i32(fb, zv), hi = fb_rd_i32(fb, zv + 4);
      /* int64 zero point; only small values are meaningful for int8/int16 tensors */
      if (!((hi == 0 && lo >= 0 && lo <= 65535) || (hi == -1 && lo < 0 && lo >= -65536)))
        return TOR_ERR_QUANT;
      out->zero_point = lo;
    }
    int32_t qd;
    FMT(fb_get_i32(fb, q, 6, 0, &qd));
    if (qd < 0 || (ndims > 0 && (uint32_t)qd >= ndims)) qd = 0;
    out->qdim = qd;
  }
  (void)it;
  return TOR_OK;
}

static tor_status load_index_list(const fb_t *fb, uint32_t table, unsigned id, uint32_t ntensors,
                                  unsigned cap, int16_t *dst, uint8_t *count, int allow_absent) {
  uint32_t v, n;
  int r = fb_get_vector(fb, table, id, 4, &v, &n);
  FMT(r >= 0);
  if (r == 0) n = 0;
  if (n > cap) return TOR_ERR_LIMIT;
  for (uint32_t i = 0; i < n; i++) {
    int32_t idx = fb_rd_i32(fb, v + 4 * i);
    if (idx == -1 && allow_absent) {
      dst[i] = -1;
      continue;
    }
    FMT(idx >= 0 && (uint32_t)idx < ntensors);
    dst[i] = (int16_t)idx;
  }
  *count = (uint8_t)n;
  return TOR_OK;
}

tor_status tor_load_model(tor_interp *it) {
  fb_t fb;
  fb.buf = it->model;
  fb.len = it->model_len;
  uint32_t root;
  FMT(it->model_len >= 8 && fb_u32(&fb, 0, &root));
  FMT(root >= 8 && root < fb.len && fb_table_ok(&fb, root));

  uint32_t codes, ncodes, subgraphs, nsub, buffers, nbuffers, meta, nmeta;
  FMT(fb_get_vector(&fb, root, 1, 4, &codes, &ncodes) >= 0);
  FMT(fb_get_vector(&fb, root, 2, 4, &subgraphs, &nsub) == 1 && nsub >= 1);
  FMT(fb_get_vector(&fb, root, 4, 4, &buffers, &nbuffers) == 1);
  uint32_t sg = fb_vec_table(&fb, subgraphs, nsub, 0);
  FMT(sg != 0);

  uint32_t tv, nt;
  FMT(fb_get_vector(&fb, sg, 0, 4, &tv, &nt) == 1);
  if (nt > TOR_MAX_TENSORS) return TOR_ERR_LIMIT;
  it->ntensors = (uint16_t)nt;
  for (uint32_t i = 0; i < nt; i++) {
    uint32_t t = fb_vec_table(&fb, tv, nt, i);
    FMT(t != 0);
    tor_status s = load_tensor(it, &fb, t, buffers, nbuffers, &it->tensors[i]);
    if (s != TOR_OK) return s;
  }

  tor_status s = load_index_list(&fb, sg, 1, nt, TOR_MAX_IO, it->inputs, &it->ninputs, 0);
  if (s != TOR_OK) return s;
  s = load_index_list(&fb, sg, 2, nt, TOR_MAX_IO, it->outputs, &it->noutputs, 0);
  if (s != TOR_OK) return s;
  FMT(it->ninputs >= 1 && it->noutputs >= 1);

  /* TFLite Micro's offline arena plan, if the model carries one: int32 LE
   * [version, subgraph(s), offset count, offset per tensor (-1: plan online)]. */
  int rm = fb_get_vector(&fb, root, 6, 4, &meta, &nmeta);
  FMT(rm >= 0);
  for (uint32_t i = 0; rm == 1 && i < nmeta; i++) {
    static const char kName[] = "OfflineMemoryAllocation";
    uint32_t m = fb_vec_table(&fb, meta, nmeta, i), name, nlen, bi, data, n;
    FMT(m != 0);
    if (fb_get_vector(&fb, m, 0, 1, &name, &nlen) != 1 || nlen != sizeof kName - 1 ||
        memcmp(fb.buf + name, kName, nlen) != 0)
      continue;
    FMT(fb_get_u32(&fb, m, 1, 0, &bi) && bi < nbuffers);
    uint32_t buf = fb_vec_table(&fb, buffers, nbuffers, bi);
    FMT(buf != 0 && fb_get_vector(&fb, buf, 0, 1, &data, &n) == 1);
    /* Word 1 is 0 from TinyOps and the subgraph count from Vela: offsets of all subgraphs
     * follow in order, subgraph 0's first. */
    FMT(n >= 12 && n % 4 == 0);
    int32_t count = fb_rd_i32(&fb, data + 8);
    FMT(count >= (int32_t)nt && (uint32_t)count == (n - 12) / 4);
    it->offline_plan = data + 12;
  }

  uint32_t ov, no;
  int r = fb_get_vector(&fb, sg, 3, 4, &ov, &no);
  FMT(r >= 0);
  if (r == 0) no = 0;
  if (no > TOR_MAX_OPS) return TOR_ERR_LIMIT;
  it->nops = (uint16_t)no;
  for (uint32_t i = 0; i < no; i++) {
    tor_op *op = &it->ops[i];
    uint32_t o = fb_vec_table(&fb, ov, no, i);
    FMT(o != 0);
    uint32_t ci;
    FMT(fb_get_u32(&fb, o, 0, 0, &ci));
    FMT(ci < ncodes);
    uint32_t code = fb_vec_table(&fb, codes, ncodes, ci);
    FMT(code != 0);
    uint8_t dep;
    int32_t full;
    FMT(fb_get_u8(&fb, code, 0, 0, &dep));
    FMT(fb_get_i32(&fb, code, 3, 0, &full));
    op->builtin = (int32_t)(int8_t)dep > full ? (int32_t)(int8_t)dep : full;
    s = load_index_list(&fb, o, 1, nt, TOR_MAX_OP_IO, op->inputs, &op->ninputs, 1);
    if (s != TOR_OK) return s;
    s = load_index_list(&fb, o, 2, nt, TOR_MAX_OP_IO, op->outputs, &op->noutputs, 0);
    if (s != TOR_OK) return s;
    uint32_t opt = 0;
    r = fb_get_table(&fb, o, 4, &opt);
    FMT(r >= 0);
    op->options = r == 1 ? opt : 0;
  }
  return TOR_OK;
}
