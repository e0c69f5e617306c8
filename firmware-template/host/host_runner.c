/* Host driver for the runtime (tests only; uses the heap and stdio, the runtime does not).
 *   host_runner run MODEL OUT_FILE IN_FILE...   run one inference, write output 0's bytes
 *   host_runner fuzz MODEL SEED ITERATIONS      mutate the model, load (and run) each mutant
 * Exit 0 on success; on a runtime error, prints "status=<code> <name> op=<i>" and exits 3. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/tor.h"

#ifndef HOST_ARENA_SIZE
#define HOST_ARENA_SIZE (1024u * 1024u)
#endif

static unsigned char arena[HOST_ARENA_SIZE] __attribute__((aligned(16)));
static tor_interp interp;

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    free(buf);
    return NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static int run(int argc, char **argv) {
  size_t mlen;
  unsigned char *model = read_file(argv[2], &mlen);
  if (!model) {
    fprintf(stderr, "cannot read %s\n", argv[2]);
    return 2;
  }
  /* TOR_ARENA_LIMIT shrinks the arena, to test the out-of-arena path */
  const char *limit = getenv("TOR_ARENA_LIMIT");
  uint32_t arena_size = limit ? (uint32_t)strtoul(limit, NULL, 10) : (uint32_t)sizeof arena;
  if (arena_size > sizeof arena) arena_size = sizeof arena;
  tor_status s = tor_init(&interp, model, (uint32_t)mlen, arena, arena_size);
  if (s != TOR_OK) {
    printf("status=%d %s op=%d\n", (int)s, tor_status_name(s), (int)interp.failed_op);
    return 3;
  }
  for (int i = 4; i < argc; i++) {
    size_t ilen;
    uint32_t want;
    unsigned char *in = read_file(argv[i], &ilen);
    uint8_t *dst = tor_input(&interp, (unsigned)(i - 4), &want);
    if (!in || !dst || ilen != want) {
      fprintf(stderr, "input %d: size %lu, model wants %lu\n", i - 4, (unsigned long)ilen,
              (unsigned long)want);
      return 2;
    }
    memcpy(dst, in, ilen);
    free(in);
  }
  s = tor_invoke(&interp);
  if (s != TOR_OK) {
    printf("status=%d %s op=%d\n", (int)s, tor_status_name(s), (int)interp.failed_op);
    return 3;
  }
  uint32_t olen;
  const uint8_t *out = tor_output(&interp, 0, &olen);
  FILE *f = fopen(argv[3], "wb");
  if (!f || fwrite(out, 1, olen, f) != olen) return 2;
  fclose(f);
  printf("ok arena_used=%lu plan=%s\n", (unsigned long)interp.arena_used, interp.plan_offline ? "offline" : "online");
  free(model);
  return 0;
}

static uint32_t rng_state;
static uint32_t rnd(void) { /* xorshift32: reproducible from the seed */
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

/* Byte ranges of constant tensor data: mutations mostly avoid them, since flipping
 * weights exercises nothing in the loader. */
#define MAX_RANGES TOR_MAX_TENSORS
static uint32_t rstart[MAX_RANGES], rend[MAX_RANGES];
static unsigned nranges;

static int in_weights(uint32_t pos) {
  for (unsigned i = 0; i < nranges; i++)
    if (pos >= rstart[i] && pos < rend[i]) return 1;
  return 0;
}

static uint32_t structural_pos(uint32_t len) {
  for (int tries = 0; tries < 64; tries++) {
    uint32_t p = rnd() % len;
    if (!in_weights(p)) return p;
  }
  return rnd() % len;
}

static int fuzz(char **argv) {
  size_t mlen;
  unsigned char *model = read_file(argv[2], &mlen);
  if (!model || mlen < 16) return 2;
  rng_state = (uint32_t)strtoul(argv[3], NULL, 10) | 1u;
  unsigned long iters = strtoul(argv[4], NULL, 10);
  if (tor_init(&interp, model, (uint32_t)mlen, arena, sizeof arena) == TOR_OK) {
    for (unsigned i = 0; i < interp.ntensors && nranges < MAX_RANGES; i++)
      if (interp.tensors[i].const_data) {
        rstart[nranges] = (uint32_t)(interp.tensors[i].const_data - model);
        rend[nranges] = rstart[nranges] + interp.tensors[i].bytes;
        nranges++;
      }
  }
  unsigned char *mut = malloc(mlen);
  unsigned long counts[10] = {0}, invoked = 0;
  for (unsigned long k = 0; k < iters; k++) {
    memcpy(mut, model, mlen);
    uint32_t len = (uint32_t)mlen;
    unsigned nmut = 1 + rnd() % 4;
    for (unsigned m = 0; m < nmut; m++) {
      uint32_t pos = structural_pos(len);
      switch (rnd() % 6) {
        case 0: len = rnd() % len + 1; break;                       /* truncate */
        case 1: mut[pos] ^= (unsigned char)(1u << (rnd() % 8)); break; /* bit flip */
        case 2: mut[pos] = (unsigned char)rnd(); break;               /* random byte */
        case 3: case 4: { /* corrupt an aligned 32-bit word: offsets, lengths, indices */
          static const uint32_t special[] = {0, 1, 0xffffffffu, 0x7fffffffu, 0x80000000u, 4, 0xfffffffcu, 255};
          uint32_t w = pos & ~3u, v;
          if (w + 4 > len) break;
          v = (rnd() & 1) ? special[rnd() % 8] : (rnd() & 1) ? rnd() % len : rnd();
          if (rnd() % 3 == 0) { /* small delta to an existing value */
            uint32_t old;
            memcpy(&old, mut + w, 4);
            v = old + (rnd() % 33) - 16;
          }
          memcpy(mut + w, &v, 4);
          break;
        }
        default: { /* int16 vtable entries */
          uint32_t w = pos & ~1u;
          if (w + 2 > len) break;
          uint16_t v = (uint16_t)((rnd() & 1) ? rnd() : rnd() % 64);
          memcpy(mut + w, &v, 2);
        }
      }
    }
    /* exact-size copy so ASan sees any read past the (possibly truncated) end */
    unsigned char *exact = malloc(len);
    memcpy(exact, mut, len);
    tor_status s = tor_init(&interp, exact, len, arena, sizeof arena);
    counts[s < 10 ? s : 9]++;
    if (s == TOR_OK) {
      tor_invoke(&interp);
      invoked++;
    }
    free(exact);
  }
  printf("fuzz iterations=%lu invoked=%lu", iters, invoked);
  for (int i = 0; i < 10; i++) printf(" s%d=%lu", i, counts[i]);
  printf("\n");
  free(mut);
  free(model);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[1], "run") == 0) return run(argc, argv);
  if (argc == 5 && strcmp(argv[1], "fuzz") == 0) return fuzz(argv);
  fprintf(stderr, "usage: host_runner run MODEL OUT IN... | fuzz MODEL SEED ITERATIONS\n");
  return 2;
}
