/* Bounds-checked flatbuffer access: every read verifies offset and length
 * against the buffer first; a failure returns 0 (absent/invalid), never reads
 * outside [buf, buf+len). All arithmetic is done in 64 bits, so no overflow. */
#ifndef TOR_FB_H
#define TOR_FB_H

#include <stdint.h>

typedef struct {
  const uint8_t *buf;
  uint32_t len;
} fb_t;

int fb_u8(const fb_t *fb, uint32_t off, uint8_t *out);
int fb_u16(const fb_t *fb, uint32_t off, uint16_t *out);
int fb_u32(const fb_t *fb, uint32_t off, uint32_t *out);
/* Verify the table at `table`: its vtable and its inline size lie in the buffer. */
int fb_table_ok(const fb_t *fb, uint32_t table);
/* Absolute offset of field `id` of a verified table, with `size` bytes available; 0 if absent. */
uint32_t fb_field(const fb_t *fb, uint32_t table, unsigned id, unsigned size);
/* Scalars with defaults (absent field -> default). Return 0 on a malformed field. */
int fb_get_u8(const fb_t *fb, uint32_t table, unsigned id, uint8_t dflt, uint8_t *out);
int fb_get_i32(const fb_t *fb, uint32_t table, unsigned id, int32_t dflt, int32_t *out);
int fb_get_u32(const fb_t *fb, uint32_t table, unsigned id, uint32_t dflt, uint32_t *out);
int fb_get_f32(const fb_t *fb, uint32_t table, unsigned id, float dflt, float *out);
/* Follow an offset field to a sub-table: 1 found and verified, 0 absent, -1 malformed. */
int fb_get_table(const fb_t *fb, uint32_t table, unsigned id, uint32_t *out);
/* Follow an offset field to a vector of `elem` byte elements: 1 found (start of elements
 * in *data, count in *n, all inside the buffer), 0 absent, -1 malformed. */
int fb_get_vector(const fb_t *fb, uint32_t table, unsigned id, unsigned elem, uint32_t *data,
                  uint32_t *n);
/* Element i of a vector of tables: verified table offset, or 0. */
uint32_t fb_vec_table(const fb_t *fb, uint32_t data, uint32_t n, uint32_t i);
int32_t fb_rd_i32(const fb_t *fb, uint32_t off); /* caller has verified off+4 <= len */
float fb_rd_f32(const fb_t *fb, uint32_t off);

#endif
