#!/usr/bin/env bash
# Prints the swift build flags for a fast release build:
#   scripts/release-flags.sh [LEVEL]
# LEVEL (x86_64 only; arm64 always prints nothing: NEON and its fused multiply-add
# are always there):
#   native     (default) this machine's vector ISA, with the defines it supports;
#              the binary may die with SIGILL on a machine without them
#   x86-64-v3  AVX2 + FMA: every x86_64 server of the last ten years; for shipping
#   x86-64-v4  AVX-512 (F, BW, DQ, VL) + FMA
#   baseline   SSE2 only (nothing to add): runs on any x86_64
# Besides -target-cpu, the defines the kernels read (Swift has no #if for CPU
# features):
#   TINYGRAPH_FMA     multiplyAdd is one fused instruction (else libm's fmaf per lane);
#   TINYGRAPH_AVX512  32 vector registers of 16 floats: 8-pixel conv blocks;
#   TINYGRAPH_VNNI    (native, CPUs with avx512_vnni) the int8 convolutions multiply
#                     with vpdpbusd, an LLVM intrinsic reached through Swift's Builtin
#                     module (hence -enable-experimental-feature BuiltinModule).
# Set a define only for a CPU that has the feature AND a build that targets it:
# with -DTINYGRAPH_FMA but without -target-cpu, every multiply-add calls libm.
set -euo pipefail
level="${1:-native}"
case "$level" in
  native|x86-64-v3|x86-64-v4|baseline) ;;
  *) echo "release-flags.sh: unknown level '$level' (native, x86-64-v3, x86-64-v4, baseline)" >&2; exit 64 ;;
esac
[ "$(uname -m)" = x86_64 ] || { echo ""; exit 0; }

fma="-Xswiftc -DTINYGRAPH_FMA"
avx512="-Xswiftc -DTINYGRAPH_AVX512"
vnni="-Xswiftc -enable-experimental-feature -Xswiftc BuiltinModule -Xswiftc -DTINYGRAPH_VNNI"
case "$level" in
  baseline) echo "" ;;
  # Swift 6.3's clang importer refuses the psABI level names as -target-cpu ("unknown
  # target CPU 'x86-64-v3'", even for `print(1)`): name the first CPU of each level.
  # Haswell = x86-64-v3 (AVX2, FMA, BMI1/2, F16C, LZCNT, MOVBE) plus AES, PCLMUL and
  # RDRAND, which compiled Swift code only uses through intrinsics (none here);
  # skylake-avx512 = x86-64-v4 likewise.
  x86-64-v3) echo "-Xswiftc -target-cpu -Xswiftc haswell $fma" ;;
  x86-64-v4) echo "-Xswiftc -target-cpu -Xswiftc skylake-avx512 $fma $avx512" ;;
  native)
    flags="-Xswiftc -target-cpu -Xswiftc native"
    # Linux lists the features in /proc/cpuinfo; macOS in sysctl (upper case there).
    cpu_flags=" $( (grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) \
                  || (sysctl -n machdep.cpu.features machdep.cpu.leaf7_features 2>/dev/null | tr 'A-Z.' 'a-z_' | tr '\n' ' ') \
                  || true) "
    [[ "$cpu_flags" == *" fma "* ]] && flags+=" $fma"
    [[ "$cpu_flags" == *" avx512f "* ]] && flags+=" $avx512"
    [[ "$cpu_flags" == *" avx512f "* && "$cpu_flags" == *" avx512_vnni "* ]] && flags+=" $vnni"
    echo "$flags"
    ;;
esac
