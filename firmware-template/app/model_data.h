/* The model (and the self-test input) as const arrays in flash, `xxd -i` style:
 * NAME[] and NAME_len. The array name is set at build time (CMake MODEL_ARRAY_NAME). */
#ifndef MODEL_DATA_H
#define MODEL_DATA_H

#ifndef TOR_MODEL_ARRAY
#define TOR_MODEL_ARRAY g_model
#endif
#define TOR_CAT_(a, b) a##b
#define TOR_CAT(a, b) TOR_CAT_(a, b)
#define TOR_MODEL_ARRAY_LEN TOR_CAT(TOR_MODEL_ARRAY, _len)

extern const unsigned char TOR_MODEL_ARRAY[];
extern const unsigned int TOR_MODEL_ARRAY_LEN;

extern const unsigned char selftest_input[];
extern const unsigned int selftest_input_len;

#endif
