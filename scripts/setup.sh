#!/usr/bin/env bash
# Installs what TinyOps needs on a Debian/Ubuntu machine: the toolchains and tools the tests and
# the demo use for real, then the npm dependencies (npm ci: exact versions, no downloads at run time).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

# host gcc/clang: runtime tests, sanitizers, fuzzing; arm-none-eabi-gcc + newlib: firmware;
# qemu-system-arm: the emulated board; flatc: independent schema check; mosquitto: MQTT broker for
# the OTA tests; xxd: the codegen benchmark's baseline.
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  gcc g++ make cmake ninja-build clang libclang-rt-14-dev xxd \
  gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib binutils-arm-none-eabi \
  qemu-system-arm flatbuffers-compiler mosquitto python3 python3-numpy >/dev/null

npm ci --no-audit --no-fund
