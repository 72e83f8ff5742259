#!/usr/bin/env bash
# Reads the output of a `swift test` run and fails when it proves less than it seems:
# fewer than MIN tests ran (a --filter that matches nothing passes with 0 tests), or a
# test was skipped (a disabled test or an unmet precondition reads as a pass).
#   scripts/check-test-log.sh LOG MIN
set -euo pipefail
log=$1 min=$2
summary=$(grep -E '^. Test run with [0-9]+ tests? ' "$log" | tail -1 || true)
[ -n "$summary" ] || { echo "check-test-log: $log has no Swift Testing summary line" >&2; exit 1; }
count=$(echo "$summary" | sed -E 's/^. Test run with ([0-9]+) tests? .*/\1/')
echo "$summary"
if grep -qE '^. Test .* skipped' "$log"; then
  echo "check-test-log: tests were skipped:" >&2
  grep -E '^. Test .* skipped' "$log" >&2
  exit 1
fi
[ "$count" -ge "$min" ] || { echo "check-test-log: only $count tests ran, expected at least $min" >&2; exit 1; }
