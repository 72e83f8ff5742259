#!/usr/bin/env bash
# Runs every test (engine, images, watcher against fake servers), installing the
# watcher's C libraries first if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh
exec swift test "$@"
