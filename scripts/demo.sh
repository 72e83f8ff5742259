#!/usr/bin/env bash
# Quick start: the whole watcher pipeline (still → crop → classify → debounce →
# notify) on the sample stills and the demo model. No camera, no credentials, no network.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh --build-only
echo "building watcher (release; the first build takes a few minutes)" >&2
swift build -c release --product watcher >&2
exec .build/release/watcher demo "$@"
