/* TinyOps runtime (tor): a C99 int8 inference runtime for TFLite flatbuffers.
 * No heap: the model stays in flash, tensors live in a caller-supplied arena,
 * and every table has a compile-time capacity. Every failure is a status code. */
#ifndef TOR_H
#define TOR_H

#include <stddef.h>
#include <stdint.h>

#ifndef TOR_MAX_TENSORS
#define TOR_MAX_TENSORS 160
#endif
#ifndef TOR_MAX_OPS
#define TOR_MAX_OPS 128
#endif
#define TOR_MAX_DIMS 5
#define TOR_MAX_OP_IO 8
#define TOR_MAX_IO 4
/* Arena offsets are aligned so int32/float tensors may live there. */
#define TOR_ARENA_ALIGN 16u

typedef enum {
  TOR_OK = 0,
  TOR_ERR_FORMAT = 1,      /* flatbuffer malformed: an offset, length or index out of range */
  TOR_ERR_UNSUPPORTED_OP = 2,
  TOR_ERR_UNSUPPORTED_TYPE = 3,
  TOR_ERR_SHAPE = 4,       /* tensor shapes inconsistent with the operator */
  TOR_ERR_QUANT = 5,       /* missing or unusable quantization parameters */
  TOR_ERR_LIMIT = 6,       /* more tensors/ops/dims than the build's capacity */
  TOR_ERR_ARENA = 7,       /* the arena is too small for the plan */
  TOR_ERR_ARG = 8,         /* bad argument from the caller */
  TOR_ERR_STATE = 9        /* called out of order */
} tor_status;

/* TFLite TensorType values used here. */
enum { TOR_FLOAT32 = 0, TOR_INT32 = 2, TOR_UINT8 = 3, TOR_INT64 = 4, TOR_INT16 = 7, TOR_INT8 = 9 };

typedef struct {
  uint8_t type;
  uint8_t ndims;
  int32_t dims[TOR_MAX_DIMS];
  uint32_t count;          /* elements */
  uint32_t bytes;
  const uint8_t *const_data; /* weights in flash, or NULL for an activation */
  int32_t arena_offset;    /* -1 when not in the arena */
  float scale;             /* first (or only) scale; 0 when unquantized */
  int32_t zero_point;
  const uint8_t *scales;   /* little-endian float vector in the model (per-channel), or NULL */
  uint32_t nscales;
  int32_t qdim;
  int16_t first_use, last_use; /* op indices; -1 when unused */
} tor_tensor;

typedef struct {
  int32_t builtin;
  uint8_t ninputs, noutputs;
  int16_t inputs[TOR_MAX_OP_IO];  /* -1 = optional input absent */
  int16_t outputs[TOR_MAX_OP_IO];
  uint32_t options;        /* absolute offset of the builtin options table, 0 if absent */
} tor_op;

/* Optional per-op timing hook: returns a monotonic counter (cycles, ticks). */
typedef uint32_t (*tor_clock_fn)(void);

typedef struct {
  const uint8_t *model;
  uint32_t model_len;
  uint16_t ntensors, nops;
  uint8_t ninputs, noutputs;
  int16_t inputs[TOR_MAX_IO], outputs[TOR_MAX_IO];
  tor_tensor tensors[TOR_MAX_TENSORS];
  tor_op ops[TOR_MAX_OPS];
  uint8_t *arena;
  uint32_t arena_size;
  uint32_t arena_used;     /* high-water mark of the plan */
  uint32_t offline_plan;   /* model offset of the OfflineMemoryAllocation offsets, 0 if none */
  int plan_offline;        /* 1 when the arena follows the model's offline plan */
  int prepared;
  tor_clock_fn clock;
  uint32_t op_ticks[TOR_MAX_OPS]; /* per-op counter delta of the last invoke */
  int32_t failed_op;       /* op index of the last failure, -1 if none */
} tor_interp;

/* Parse and verify the model, check every operator and plan the arena.
 * `model` must stay valid and be 4-byte aligned. */
tor_status tor_init(tor_interp *it, const uint8_t *model, uint32_t model_len, uint8_t *arena,
                    uint32_t arena_size);
tor_status tor_invoke(tor_interp *it);
/* Input/output tensor data and sizes (NULL/0 for a bad index). */
uint8_t *tor_input(tor_interp *it, unsigned index, uint32_t *bytes);
const uint8_t *tor_output(tor_interp *it, unsigned index, uint32_t *bytes);
const char *tor_status_name(tor_status s);

#endif
