/* Kernel plumbing shared by the op files. Each op file has a pure arithmetic
 * function and a `tor_op_<name>(it, op, run)` entry that validates the tensors
 * (run == 0, at init) and computes (run == 1). Validation at init guarantees the
 * compute step reads and writes only inside its tensors. */
#ifndef TOR_OPS_H
#define TOR_OPS_H

#include <string.h>

#include "fb.h"
#include "fixedpoint.h"
#include "tor.h"

#define TOR_CHECK(cond, err) \
  do {                       \
    if (!(cond)) return (err); \
  } while (0)

typedef tor_status (*tor_kernel_fn)(tor_interp *it, const tor_op *op, int run);

/* Marks a kernel's portable path. Where the DSP path handles the common shapes, the portable
 * one is only a fallback for rare ones: optimised for size there, to keep the runtime small. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__GNUC__) && !defined(__clang__)
#define TOR_FALLBACK __attribute__((optimize("Os")))
#else
#define TOR_FALLBACK
#endif

/* Builtin operator codes from the TFLite schema. */
enum {
  TOR_OP_ADD = 0, TOR_OP_AVERAGE_POOL_2D = 1, TOR_OP_CONCATENATION = 2, TOR_OP_CONV_2D = 3,
  TOR_OP_DEPTHWISE_CONV_2D = 4, TOR_OP_DEQUANTIZE = 6, TOR_OP_FULLY_CONNECTED = 9,
  TOR_OP_MAX_POOL_2D = 17, TOR_OP_MUL = 18, TOR_OP_RELU = 19, TOR_OP_RELU6 = 21,
  TOR_OP_RESHAPE = 22, TOR_OP_SOFTMAX = 25, TOR_OP_PAD = 34, TOR_OP_MEAN = 40, TOR_OP_QUANTIZE = 114,
  TOR_OP_LOGISTIC = 14
};

/* Tensor `i` of the op's inputs (or NULL when absent/optional). */
const tor_tensor *tor_op_in(const tor_interp *it, const tor_op *op, unsigned i);
/* Output `i`; it always lives in the arena (checked at load). */
const tor_tensor *tor_op_out(const tor_interp *it, const tor_op *op, unsigned i);
const uint8_t *tor_cdata(const tor_interp *it, const tor_tensor *t);
uint8_t *tor_mdata(tor_interp *it, const tor_tensor *t);
fb_t tor_fb(const tor_interp *it);
int tor_same_shape(const tor_tensor *a, const tor_tensor *b);
/* Quantization scale of channel `c` (per-tensor models repeat scale[0]). */
float tor_channel_scale(const tor_interp *it, const tor_tensor *t, uint32_t c);
int32_t tor_ld_i32(const uint8_t *p);
float tor_ld_f32(const uint8_t *p);
void tor_st_f32(uint8_t *p, float v);
/* Output size and padding of a 2D window (TFLite's SAME/VALID rules); 0 on bad params. */
int tor_window(int32_t in, int32_t filter, int32_t stride, int32_t dilation, int padding,
               int32_t *out, int32_t *pad);
/* Per-channel quantized multiplier in*filter/out, the way TFLM's conv derives it. */
int tor_conv_multiplier(const tor_interp *it, const tor_tensor *in, const tor_tensor *filter,
                        const tor_tensor *out, uint32_t c, int32_t *mult, int *shift);
/* A block of a conv-like op's output channels, with each one's bias, multiplier and shift: the
 * kernels run a block at a time so those stay at hand without a per-op table. */
#define TOR_CHANNEL_BLOCK 64
typedef struct {
  int32_t oc0, n;
  int32_t bias[TOR_CHANNEL_BLOCK], mult[TOR_CHANNEL_BLOCK];
  int shift[TOR_CHANNEL_BLOCK];
} tor_channel_block;
/* Loads the block of the out_c channels that starts at oc0 (bias 0 without a bias tensor); 0
 * when a multiplier is out of range. */
int tor_channel_block_load(const tor_interp *it, const tor_tensor *in, const tor_tensor *filter,
                           const tor_tensor *bias, const tor_tensor *out, int32_t oc0,
                           int32_t out_c, tor_channel_block *blk);

/* Broadcast shapes (up to 4D) for elementwise binary ops. */
typedef struct {
  int32_t out[4];
  int32_t s1[4], s2[4]; /* element strides, 0 on broadcast dims */
} tor_bcast;
int tor_broadcast(const tor_tensor *a, const tor_tensor *b, const tor_tensor *out, tor_bcast *bc);

tor_status tor_op_conv2d(tor_interp *it, const tor_op *op, int run);
tor_status tor_op_depthwise_conv2d(tor_interp *it, const tor_op *op, int run);
tor_status tor_op_fully_connected(tor_interp *it, const tor_op *op, int run);
tor_status tor_op_avg_pool2d(tor_interp *it, const tor_op *op, int run);
tor_status tor_op_max_pool2d(tor_interp *it, const tor_op *op, int run);
tor_status tor_op_reshape(tor_interp *it, const tor_op *op, int run);
tor_status tor_op_softmax(tor_interp *it, const tor_op *op, int run);
tor_status tor_op_add(tor_interp *it, const tor_op *op, int run);
tor_status tor_op_mul(tor_interp *it, const tor_op *op, int run);
tor_status tor_op_quantize(tor_interp *it, const tor_op *op, int run);
tor_status tor_op_dequantize(tor_interp *it, const tor_op *op, int run);
tor_status tor_op_pad(tor_interp *it, const tor_op *op, int run);
tor_status tor_op_concatenation(tor_interp *it, const tor_op *op, int run);
tor_status tor_op_relu(tor_interp *it, const tor_op *op, int run);
tor_status tor_op_relu6(tor_interp *it, const tor_op *op, int run);
tor_status tor_op_logistic(tor_interp *it, const tor_op *op, int run);
tor_status tor_op_mean(tor_interp *it, const tor_op *op, int run);

#endif
