#include "fb.h"

#include <string.h>

static int in_range(const fb_t *fb, uint64_t off, uint64_t size) {
  return off <= fb->len && size <= (uint64_t)fb->len - off;
}

int fb_u8(const fb_t *fb, uint32_t off, uint8_t *out) {
  if (!in_range(fb, off, 1)) return 0;
  *out = fb->buf[off];
  return 1;
}

int fb_u16(const fb_t *fb, uint32_t off, uint16_t *out) {
  if (!in_range(fb, off, 2)) return 0;
  *out = (uint16_t)(fb->buf[off] | (fb->buf[off + 1] << 8));
  return 1;
}

int fb_u32(const fb_t *fb, uint32_t off, uint32_t *out) {
  if (!in_range(fb, off, 4)) return 0;
  *out = (uint32_t)fb->buf[off] | ((uint32_t)fb->buf[off + 1] << 8) |
         ((uint32_t)fb->buf[off + 2] << 16) | ((uint32_t)fb->buf[off + 3] << 24);
  return 1;
}

int32_t fb_rd_i32(const fb_t *fb, uint32_t off) {
  uint32_t v = 0;
  (void)fb_u32(fb, off, &v);
  int32_t r;
  memcpy(&r, &v, 4);
  return r;
}

float fb_rd_f32(const fb_t *fb, uint32_t off) {
  uint32_t v = 0;
  (void)fb_u32(fb, off, &v);
  float f;
  memcpy(&f, &v, 4);
  return f;
}

/* vtable position of a table, verified; 0 on failure (0 is never a valid vtable: the root
 * offset occupies it). */
static uint32_t vtable_of(const fb_t *fb, uint32_t table, uint16_t *vt_size, uint16_t *tb_size) {
  uint32_t so;
  if (!fb_u32(fb, table, &so)) return 0;
  int64_t vt = (int64_t)table - (int64_t)(int32_t)so;
  if (vt < 4 || vt > (int64_t)fb->len) return 0;
  uint16_t vs, ts;
  if (!fb_u16(fb, (uint32_t)vt, &vs) || !fb_u16(fb, (uint32_t)vt + 2, &ts)) return 0;
  if (vs < 4 || (vs & 1) || !in_range(fb, (uint64_t)vt, vs)) return 0;
  if (ts < 4 || !in_range(fb, table, ts)) return 0;
  *vt_size = vs;
  *tb_size = ts;
  return (uint32_t)vt;
}

int fb_table_ok(const fb_t *fb, uint32_t table) {
  uint16_t vs, ts;
  return vtable_of(fb, table, &vs, &ts) != 0;
}

uint32_t fb_field(const fb_t *fb, uint32_t table, unsigned id, unsigned size) {
  uint16_t vs, ts, fo;
  uint32_t vt = vtable_of(fb, table, &vs, &ts);
  if (!vt) return 0;
  uint32_t slot = 4u + 2u * id;
  if (slot + 2u > vs) return 0;
  if (!fb_u16(fb, vt + slot, &fo) || fo == 0) return 0;
  if ((uint32_t)fo + size > ts) return 0; /* field must lie inside the table's inline data */
  return table + fo;
}

int fb_get_u8(const fb_t *fb, uint32_t table, unsigned id, uint8_t dflt, uint8_t *out) {
  uint32_t f = fb_field(fb, table, id, 1);
  *out = dflt;
  return f ? fb_u8(fb, f, out) : 1;
}

int fb_get_u32(const fb_t *fb, uint32_t table, unsigned id, uint32_t dflt, uint32_t *out) {
  uint32_t f = fb_field(fb, table, id, 4);
  *out = dflt;
  return f ? fb_u32(fb, f, out) : 1;
}

int fb_get_i32(const fb_t *fb, uint32_t table, unsigned id, int32_t dflt, int32_t *out) {
  uint32_t f = fb_field(fb, table, id, 4);
  *out = dflt;
  if (!f) return 1;
  if (!in_range(fb, f, 4)) return 0;
  *out = fb_rd_i32(fb, f);
  return 1;
}

int fb_get_f32(const fb_t *fb, uint32_t table, unsigned id, float dflt, float *out) {
  uint32_t f = fb_field(fb, table, id, 4);
  *out = dflt;
  if (!f) return 1;
  if (!in_range(fb, f, 4)) return 0;
  *out = fb_rd_f32(fb, f);
  return 1;
}

static int follow(const fb_t *fb, uint32_t table, unsigned id, uint32_t *target) {
  uint32_t f = fb_field(fb, table, id, 4), rel;
  if (!f) return 0;
  if (!fb_u32(fb, f, &rel)) return -1;
  uint64_t t = (uint64_t)f + rel;
  if (rel == 0 || t >= fb->len) return -1;
  *target = (uint32_t)t;
  return 1;
}

int fb_get_table(const fb_t *fb, uint32_t table, unsigned id, uint32_t *out) {
  uint32_t t;
  int r = follow(fb, table, id, &t);
  if (r <= 0) return r;
  if (!fb_table_ok(fb, t)) return -1;
  *out = t;
  return 1;
}

int fb_get_vector(const fb_t *fb, uint32_t table, unsigned id, unsigned elem, uint32_t *data,
                  uint32_t *n) {
  uint32_t v, count;
  int r = follow(fb, table, id, &v);
  if (r <= 0) return r;
  if (!fb_u32(fb, v, &count)) return -1;
  if (!in_range(fb, (uint64_t)v + 4, (uint64_t)count * elem)) return -1;
  *data = v + 4;
  *n = count;
  return 1;
}

uint32_t fb_vec_table(const fb_t *fb, uint32_t data, uint32_t n, uint32_t i) {
  uint32_t rel;
  if (i >= n) return 0;
  uint64_t slot = (uint64_t)data + 4ull * i;
  if (slot > 0xFFFFFFFFull || !fb_u32(fb, (uint32_t)slot, &rel)) return 0;
  uint64_t t = slot + rel;
  if (rel == 0 || t >= fb->len || !fb_table_ok(fb, (uint32_t)t)) return 0;
  return (uint32_t)t;
}
