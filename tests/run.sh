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
  "$t" >"$LOG.c" 2>&1 || status=1
  cat "$LOG.c"
  cat "$LOG.c" >>"$LOG"
done
rm -f "$LOG.c"

echo "# luacheck"
if command -v luacheck >/dev/null 2>&1; then
  if luacheck -q --no-color lua recipes tests examples >"$LOG.lint" 2>&1; then
    echo "ok - luacheck lua recipes tests examples" | tee -a "$LOG"
  else
    sed 's/^/# /' "$LOG.lint"
    echo "not ok - luacheck lua recipes tests examples" | tee -a "$LOG"
  fi
  rm -f "$LOG.lint"
fi

# What `busted --lua=./orrery` does, without needing a system `lua` to start busted with:
# the busted script runs inside orrery, so specs reach the real C modules.
echo "# busted (interpreter: $ROOT/orrery)"
rm -rf tests/tmp
BUSTED=$(command -v busted || echo /usr/bin/busted)
"$ROOT/orrery" "$BUSTED" --ignore-lua -o TAP "$@" >"$LOG.busted" 2>&1 || status=1
cat "$LOG.busted"
cat "$LOG.busted" >>"$LOG"
grep -q '^1\.\.[1-9]' "$LOG.busted" || { echo "not ok - busted ran no spec" | tee -a "$LOG"; status=1; }
rm -f "$LOG.busted"

passed=$(grep -c '^ok ' "$LOG")
failed=$(grep -c '^not ok ' "$LOG")
rm -f "$LOG"
[ "$failed" -gt 0 ] && status=1
[ "$passed" -eq 0 ] && status=1
echo "$passed passed, $failed failed"
exit $status
