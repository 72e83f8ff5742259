#!/usr/bin/env bash
# Prints the swift build flags of the documented release build for this machine:
#   swift build -c release --static-swift-stdlib $(scripts/release-flags.sh)
# x86_64: the host's vector ISA (-target-cpu native), plus the two defines the
# kernels cannot detect by themselves (Swift has no #if for CPU features):
#   TINYGRAPH_FMA     multiplyAdd is one fused instruction (else libm's fmaf per lane);
#   TINYGRAPH_AVX512  32 vector registers of 16 floats: 8-pixel conv blocks.
# Set a define only for a CPU that has the feature AND a build that targets it:
# with -DTINYGRAPH_FMA but without -target-cpu, every multiply-add calls libm.
# arm64: nothing (NEON and its fused multiply-add are always there).
set -euo pipefail
case "$(uname -m)" in
  x86_64)
    flags="-Xswiftc -target-cpu -Xswiftc native"
    # Linux lists the features in /proc/cpuinfo; macOS in sysctl (upper case there).
    cpu_flags=" $( (grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) \
                  || (sysctl -n machdep.cpu.features machdep.cpu.leaf7_features 2>/dev/null | tr 'A-Z.' 'a-z_' | tr '\n' ' ') \
                  || true) "
    [[ "$cpu_flags" == *" fma "* ]] && flags+=" -Xswiftc -DTINYGRAPH_FMA"
    [[ "$cpu_flags" == *" avx512f "* ]] && flags+=" -Xswiftc -DTINYGRAPH_AVX512"
    echo "$flags"
    ;;
  *) echo "" ;;
esac
