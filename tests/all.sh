#!/bin/sh
# `make test`: the suite with the plain build, again under ASan/UBSan/LeakSanitizer, then
# each fuzz target briefly.  Each phase prints TAP and adds its counts to a file; the last
# line is the total, the one line CI reads: "N passed, M failed".
cd "$(dirname "$0")/.." || exit 1
ORRERY_SUMMARY=$(mktemp)
export ORRERY_SUMMARY
status=0
echo "# phase 1: the suite (plain build)"
make -s unit || status=1
echo "# phase 2: the suite under AddressSanitizer, UndefinedBehaviorSanitizer, LeakSanitizer"
make -s check || status=1
echo "# phase 3: fuzzing, briefly"
make -s fuzz-short || status=1
passed=0 failed=0
while read -r p f; do passed=$((passed + p)); failed=$((failed + f)); done <"$ORRERY_SUMMARY"
rm -f "$ORRERY_SUMMARY"
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed"
exit $status
