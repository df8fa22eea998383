#!/bin/sh
# `make test`: the suite with the plain build, again under ASan/UBSan/LeakSanitizer, then
# each fuzz target briefly.  Each phase prints TAP and adds its counts to a file; the last
# line is the total, the one line CI reads: "N passed, M failed".
cd "$(dirname "$0")/.." || exit 1
ORRERY_SUMMARY=$(mktemp)
export ORRERY_SUMMARY
status=0
# a phase that stops before it counts anything (its build failed) is one failure more:
# the last line must never say "0 failed" of a suite that did not run
broken=0
phase() {
  before=$(wc -l <"$ORRERY_SUMMARY")
  if ! make -s "$1"; then
    status=1
    if [ "$(wc -l <"$ORRERY_SUMMARY")" -eq "$before" ]; then
      echo "not ok - make $1 stopped before its tests ran"
      broken=$((broken + 1))
    fi
  fi
}
echo "# phase 1: the suite (plain build)"
phase unit
echo "# phase 2: the suite under AddressSanitizer, UndefinedBehaviorSanitizer, LeakSanitizer"
phase check
echo "# phase 3: fuzzing, briefly"
phase fuzz-short
passed=0 failed=$broken
while read -r p f; do passed=$((passed + p)); failed=$((failed + f)); done <"$ORRERY_SUMMARY"
rm -f "$ORRERY_SUMMARY"
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed"
exit $status
