#!/bin/sh
# A short run of each fuzz target (built by make), seeded from the test fixtures and the
# conformance corpus; one TAP line each.  Usage: short.sh SECONDS TARGET...
cd "$(dirname "$0")/../.." || exit 1
secs=$1
shift
seeds=tests/fixtures
[ -d ../shared/conformance/feedparser/cases ] && seeds="$seeds ../shared/conformance/feedparser/cases"
passed=0 failed=0
for t in "$@"; do
  mkdir -p build-fuzz/corpus-$t
  log=build-fuzz/fuzz_$t.short.log
  dict=
  [ -f tests/fuzz/fuzz_$t.dict ] && dict=-dict=../tests/fuzz/fuzz_$t.dict
  # shellcheck disable=SC2086
  if (cd build-fuzz && ./fuzz_$t -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 $dict corpus-$t $(for s in $seeds; do echo "../$s"; done)) >"$log" 2>&1; then
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "ok - fuzz_$t: $secs s, $n inputs, no crash, leak or undefined behaviour"
    passed=$((passed + 1))
  else
    grep -E '==[0-9]+==ERROR|SUMMARY|Test unit written' "$log" | sed 's/^/# /'
    echo "not ok - fuzz_$t found a problem: see $log and build-fuzz/crash-*"
    failed=$((failed + 1))
  fi
done
if [ -n "${ORRERY_SUMMARY:-}" ]; then echo "$passed $failed" >>"$ORRERY_SUMMARY"; else echo "$passed passed, $failed failed"; fi
[ "$failed" -eq 0 ]
