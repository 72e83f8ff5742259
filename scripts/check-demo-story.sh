#!/usr/bin/env bash
# Runs the quick start (scripts/demo.sh) and compares what it prints with the story
# the sample stills tell (Samples/demo-story.txt), times of day masked: a changed
# label, a missing or extra message, or a changed format fails. After a deliberate
# change of the demo's output, update the story file with:
#   scripts/check-demo-story.sh --update
set -euo pipefail
cd "$(dirname "$0")/.."
mask() { sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}( ?[+-][0-9]{2}:?[0-9]{2}|Z)?/TIME/g'; }
actual="$(scripts/demo.sh | mask)"
if [ "${1:-}" = "--update" ]; then
  printf '%s\n' "$actual" > Samples/demo-story.txt
  echo "wrote Samples/demo-story.txt"
  exit 0
fi
if ! diff -u Samples/demo-story.txt <(printf '%s\n' "$actual"); then
  echo "check-demo-story: scripts/demo.sh no longer tells Samples/demo-story.txt's story (diff above)" >&2
  exit 1
fi
echo "scripts/demo.sh told the expected story ($(grep -c '→' Samples/demo-story.txt) messages, $(grep -c '\.jpg:' Samples/demo-story.txt) checks)"
