# cmake -DIN=file -DOUT=file.c -DNAME=array [-DALIGN=16] -DXXD=xxd -P embed_binary.cmake
# Writes `const unsigned char NAME[]` (aligned, in flash) and `const unsigned int NAME_len`.
if(NOT ALIGN)
  set(ALIGN 16)
endif()
if(IN STREQUAL "")
  set(body "0")
  set(len 0)
else()
  execute_process(COMMAND ${XXD} -i INPUT_FILE ${IN} OUTPUT_VARIABLE body RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "xxd failed on ${IN}")
  endif()
  file(SIZE ${IN} len)
endif()
file(WRITE ${OUT}.tmp
  "/* Generated from ${IN} by embed_binary.cmake. Do not edit. */\n"
  "const unsigned char ${NAME}[] __attribute__((aligned(${ALIGN}))) = {\n${body}};\n"
  "const unsigned int ${NAME}_len = ${len};\n")
file(RENAME ${OUT}.tmp ${OUT})
