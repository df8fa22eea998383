#!/bin/sh
# The test driver of `make test`: C unit tests, then the busted specs run inside the real
# orrery binary (busted --lua=./orrery), which include the end-to-end tests against a
# loopback server.  Every stage prints TAP; this script counts it and ends with the one
# line CI reads: "N passed, M failed".
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
export ORRERY_ROOT="$ROOT"
BUILD=${ORRERY_BUILD:-build}
LOG=$(mktemp)
status=0

for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] || continue
  echo "# $t"
  "$t" | tee -a "$LOG" || status=1
done

echo "# busted (interpreter: $ROOT/orrery)"
rm -rf tests/tmp
busted --lua="$ROOT/orrery" -o TAP "$@" | tee -a "$LOG"
[ "$?" = 0 ] || status=1

passed=$(grep -c '^ok ' "$LOG")
failed=$(grep -c '^not ok ' "$LOG")
rm -f "$LOG"
[ "$failed" -gt 0 ] && status=1
[ "$passed" -eq 0 ] && status=1
echo "$passed passed, $failed failed"
exit $status
