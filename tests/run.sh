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
  (cd "$ROOT" && "$t") >"$LOG.c" 2>&1 || status=1
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

# src/'s layering: no unit uses another that uses it back (includes and calls), and the
# parsers' functions fit on a screen
echo "# layers of src/"
if "$ROOT/orrery" lua tests/lint/layers.lua src >"$LOG.layers" 2>&1; then
  echo "ok - src/ has no circle and no parser function over 80 lines (tests/lint/layers.lua)" | tee -a "$LOG"
else
  sed 's/^/# /' "$LOG.layers"
  echo "not ok - src/ has a circle or a parser function over 80 lines (tests/lint/layers.lua)" | tee -a "$LOG"
fi
rm -f "$LOG.layers"

# Nothing a build writes is tracked (object files, binaries, build*/ directories).
if git rev-parse --git-dir >/dev/null 2>&1; then
  tracked=$(git ls-files | grep -E '(^|/)build[^/]*/|\.(o|a|so)$|^orrery$|(^|/)out/' | head -5)
  if [ -z "$tracked" ]; then
    echo "ok - git tracks no build output" | tee -a "$LOG"
  else
    echo "$tracked" | sed 's/^/# tracked: /'
    echo "not ok - git tracks build output" | tee -a "$LOG"
  fi
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

# feedparser's conformance corpus (../shared/conformance): the pass count may not drop below
# tests/conformance.floor.  Raise the floor when the parser gets better.
CORPUS=${ORRERY_CONFORMANCE:-$ROOT/../shared/conformance}
if [ -x "$CORPUS/compare" ] && command -v python3 >/dev/null 2>&1; then
  floor=$(cat tests/conformance.floor)
  echo "# conformance ($CORPUS)"
  # (exit 1 is "not a feed", and the corpus has such documents: their JSON is still compared)
  python3 "$CORPUS/compare" --cmd "$ROOT/orrery parse --json {} 2>/dev/null || test \$? -eq 1" -j 2 \
    --report "$LOG.conf.json" >"$LOG.conf" 2>&1
  got=$(tail -1 "$LOG.conf" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
  grep -E '^  (all fields|[a-z/]+ +[0-9]+/[0-9]+)' "$LOG.conf" | sed 's/^/# /'
  if [ -n "$got" ] && [ "$got" -ge "$floor" ]; then
    echo "ok - conformance: $got cases pass (floor $floor)" | tee -a "$LOG"
  else
    echo "not ok - conformance: ${got:-no result} cases pass, below the floor of $floor" | tee -a "$LOG"
  fi
  # every case that differs must be a known difference (tests/conformance.known, with why)
  new=$(python3 -c '
import json, sys
known = {l.split("\t")[0] for l in open(sys.argv[2]) if l.strip() and not l.startswith("#")}
for c in json.load(open(sys.argv[1]))["cases"]:
    if not c["passed"] and c["path"] not in known: print(c["path"], ",".join(c["failed_fields"]), c["reason"] or "")
' "$LOG.conf.json" tests/conformance.known 2>&1)
  if [ -z "$new" ]; then
    echo "ok - conformance: every differing case is a known difference (tests/conformance.known)" | tee -a "$LOG"
  else
    echo "not ok - conformance: cases that differ and are not in tests/conformance.known:" | tee -a "$LOG"
    echo "$new" | sed 's/^/#   /' | tee -a "$LOG"
  fi
  rm -f "$LOG.conf" "$LOG.conf.json"
else
  echo "# conformance corpus not found at $CORPUS: skipped"
fi

passed=$(grep -c '^ok ' "$LOG")
failed=$(grep -c '^not ok ' "$LOG")
rm -f "$LOG"
[ "$failed" -gt 0 ] && status=1
[ "$passed" -eq 0 ] && status=1
if [ -n "${ORRERY_SUMMARY:-}" ]; then      # a phase of tests/all.sh, which adds them up
  echo "$passed $failed" >>"$ORRERY_SUMMARY"
  echo "# this phase: $passed passed, $failed failed"
else
  echo "$passed passed, $failed failed"
fi
exit $status
