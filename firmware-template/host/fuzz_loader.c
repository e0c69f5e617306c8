/* libFuzzer target for the model loader: every input is a candidate .tflite. Each is copied to
 * an exact-size heap block (so ASan catches a read one byte past the end), loaded, and run when
 * the loader accepts it. Build: clang -fsanitize=fuzzer,address,undefined. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/tor.h"

static unsigned char arena[512 * 1024] __attribute__((aligned(16)));
static tor_interp interp;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20)) return 0;
  unsigned char *model = malloc(size ? size : 1); /* malloc is 16-byte aligned */
  if (!model) return 0;
  memcpy(model, data, size);
  if (tor_init(&interp, model, (uint32_t)size, arena, sizeof arena) == TOR_OK) (void)tor_invoke(&interp);
  free(model);
  return 0;
}
