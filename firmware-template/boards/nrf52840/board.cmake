# Nordic nRF52840: Cortex-M4F at 64 MHz.
set(BOARD_CPU_FLAGS -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard)
set(BOARD_DEFINES BOARD_NRF52840=1)
set(BOARD_DEFAULT_ARENA 131072)
