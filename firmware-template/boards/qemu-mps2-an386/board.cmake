# QEMU mps2-an386: Cortex-M4F, single-precision FPU, hard-float ABI.
set(BOARD_CPU_FLAGS -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard)
set(BOARD_DEFINES BOARD_QEMU=1)
set(BOARD_DEFAULT_ARENA 262144)
