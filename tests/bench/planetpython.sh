#!/bin/bash
# make bench, full size: Planet Python's real config (567 feeds, its seven htmltmpl templates)
# imported and run against tests/standin.py, the local stand-in of the web (generated feeds,
# 20-200 ms latency per feed, its fault mix, timeouts cut at --timeout).  In one run:
#   floor   curl --parallel fetching every stand-in URL once, same concurrency, no parse/store
#   cold    orrery run on an empty database
#   warm    orrery run again (conditional GETs, unchanged documents skipped)
# Prints wall, CPU and peak memory of each, and orrery's ratios to the floor.
#   ENTRIES  entries per feed (10)   TIMEOUT  seconds (5)   J  transfers at once (16, the default)
set -u -o pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
PP=${ORRERY_PLANETPYTHON:-$ROOT/../shared/planetpython}
if [ ! -f "$PP/config/config.ini" ]; then echo "no Planet Python config at $PP: skipped"; exit 0; fi
ENTRIES=${ENTRIES:-10}
TIMEOUT=${TIMEOUT:-5}
J=${J:-16}
WORK=${TMPDIR:-/tmp}/orrery-bench/planetpython
mkdir -p "$WORK"
rm -f "$WORK/port" "$WORK/mirror.txt" "$WORK/planet.lua"
./orrery import-venus "$PP/config/config.ini" -o "$WORK/planet.lua" >/dev/null 2>&1 || { echo "import-venus failed"; exit 1; }
python3 tests/standin.py --config "$PP/config/config.ini" --work "$WORK" --entries "$ENTRIES" \
  --mirror-out "$WORK/mirror.txt" --port-file "$WORK/port" --max-seconds 900 >"$WORK/standin.log" 2>&1 &
STANDIN=$!
trap 'kill $STANDIN 2>/dev/null' EXIT
for _ in $(seq 1 300); do [ -f "$WORK/port" ] && break; sleep 0.1; done
[ -f "$WORK/port" ] || { echo "stand-in did not start"; cat "$WORK/standin.log"; exit 1; }

# one measured command: "wall cpu peak_kb" on stdout
measure() {
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err"
  read -r wall user sys kb < <(tail -1 "$WORK/time")   # after "Command exited with non-zero status 3"
  echo "$wall $(echo "$user + $sys" | bc) $kb"
}

# the floor: every URL once, as many at a time, the same timeout, nothing kept
grep -v '^#' "$WORK/mirror.txt" | awk '$2 ~ /\/s\// { print "url = \"" $2 "\"\noutput = \"/dev/null\"" }' > "$WORK/curl.cfg"
floor=$(measure curl -s --parallel --parallel-max "$J" --compressed -m "$TIMEOUT" -K "$WORK/curl.cfg")
rm -f "$WORK/planet.db"*
cold=$(measure ./orrery run -c "$WORK/planet.lua" -o "$WORK/out" --db "$WORK/planet.db" --mirror "$WORK/mirror.txt" \
  --timeout "$TIMEOUT" -j "$J" -q)
warm=$(measure ./orrery run -c "$WORK/planet.lua" -o "$WORK/out" --db "$WORK/planet.db" --mirror "$WORK/mirror.txt" \
  --timeout "$TIMEOUT" -j "$J" -q)
entries=$(sqlite3 "$WORK/planet.db" 'select count(*) from entries')

echo "== Planet Python at full size: 567 feeds x $ENTRIES entries, $J at once, --timeout $TIMEOUT s"
printf '%-34s %9s %9s %9s\n' '' 'wall s' 'CPU s' 'peak MB'
row() { read -r w c k <<<"$2"; printf '%-34s %9.2f %9.2f %9.1f\n' "$1" "$w" "$c" "$(echo "$k / 1024" | bc -l)"; }
row 'curl --parallel (transport floor)' "$floor"
row 'orrery run, cold' "$cold"
row 'orrery run, warm' "$warm"
read -r fw _ _ <<<"$floor"; read -r cw cc ck <<<"$cold"; read -r ww wc wk <<<"$warm"
printf 'entries stored: %s; cold wall %.2fx the floor, warm wall %.2fx; warm CPU %.2fx cold\n' "$entries" \
  "$(echo "$cw / $fw" | bc -l)" "$(echo "$ww / $fw" | bc -l)" "$(echo "$wc / $cc" | bc -l)"
echo "(the floor and both runs wait for the same latencies and the same $TIMEOUT-s timeouts;"
echo " Planet 2.0 itself needs Python 2.7, which Debian no longer ships, so it is not measured here)"
