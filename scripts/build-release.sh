#!/usr/bin/env bash
# The fast, deployable release build of tinygraph and watcher: the Swift runtime
# linked in (--static-swift-stdlib: no Swift on the target machine) and the vector
# instructions of LEVEL (see scripts/release-flags.sh). Each level has its own
# scratch folder, so no build replaces another's binaries:
#   scripts/build-release.sh              # .build-native/release/{tinygraph,watcher}: this machine
#   scripts/build-release.sh x86-64-v3    # .build-x86-64-v3/release/…: any AVX2 + FMA machine
#   scripts/build-release.sh baseline     # .build-baseline/release/…: any x86_64
# The quick start (scripts/demo.sh) and `swift test` use .build/ (portable, not static).
# Extra arguments go to `swift build` (e.g. --product tinygraph).
set -euo pipefail
cd "$(dirname "$0")/.."
level="${1:-native}"
[ $# -gt 0 ] && shift
flags="$(scripts/release-flags.sh "$level")"
scratch=".build-$level"
# shellcheck disable=SC2086 # the flags are separate words
swift build -c release --static-swift-stdlib --scratch-path "$scratch" $flags "$@" >&2
echo "$scratch/release"
