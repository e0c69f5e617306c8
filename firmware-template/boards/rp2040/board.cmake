# Raspberry Pi RP2040: dual Cortex-M0+ (one used), no FPU: soft-float.
set(BOARD_CPU_FLAGS -mcpu=cortex-m0plus -mthumb -mfloat-abi=soft)
set(BOARD_DEFINES BOARD_RP2040=1)
set(BOARD_DEFAULT_ARENA 131072)
