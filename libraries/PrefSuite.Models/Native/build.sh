#!/usr/bin/env bash
# Rebuilds linux-x64/libprefsuite_mkl_intel_path.so from mkl_intel_path.c (committed prebuilt, so that building
# PrefSuite needs no C compiler). No libc, no build id, stripped: the library is one exported function.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p linux-x64
${CC:-cc} -O2 -shared -fPIC -nostdlib -Wl,--build-id=none -Wl,-soname,libprefsuite_mkl_intel_path.so -s \
  -o linux-x64/libprefsuite_mkl_intel_path.so mkl_intel_path.c
nm -D --defined-only linux-x64/libprefsuite_mkl_intel_path.so
