# ST STM32F746: Cortex-M7 with a single-precision FPU (fpv5-sp-d16).
set(BOARD_CPU_FLAGS -mcpu=cortex-m7 -mthumb -mfpu=fpv5-sp-d16 -mfloat-abi=hard)
set(BOARD_DEFINES BOARD_STM32F746=1)
set(BOARD_DEFAULT_ARENA 196608)
