#!/bin/bash
# make bench, refreshing: 1,000 feeds of ../shared/bench's farm served on 127.0.0.1 with
# 20-200 ms latency and its fault mix, every feed on its own host name (HOSTS=many).
# In one run, by ../shared/bench/run.sh: curl --parallel (the transport floor), Newsboat
# (-x reload; cold, 2nd, warm, after a bump) and orrery (the same four runs), at the same
# concurrency.  Then orrery alone on 10,000 feeds, for memory growth.  Prints wall, CPU,
# peak memory and the ratios; raw records stay in $WORK.
#
#   THREADS   transfers at once for all three (default 32; Newsboat's reload-threads)
#   N, E      feeds and entries each (1000, 20)      N_BIG   the memory run (10000; 0 skips)
#   ROUNDS_BIG  rounds of the 10,000-feed comparison (3: the median ratio is reported)
set -u -o pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
BENCH=${ORRERY_BENCH:-$ROOT/../shared/bench}
if [ ! -x "$BENCH/run.sh" ]; then echo "no bench harness at $BENCH: skipped"; exit 0; fi
N=${N:-1000}
E=${E:-20}
N_BIG=${N_BIG:-10000}
THREADS=${THREADS:-32}
WORK=${TMPDIR:-/tmp}/orrery-bench/refresh-n$N-e$E-j$THREADS
SUMMARIES=$WORK/ours-summaries.jsonl
mkdir -p "$WORK"
: > "$SUMMARIES"

# Exit 3 (some feeds failed) is what the farm's faults should give: not a bench failure.
export OURS_REFRESH_CMD="$ROOT/orrery refresh --urls {URLS} --db {DB} -j {THREADS} --json >> $SUMMARIES; test \$? -le 3"
export OURS_ENTRIES_SQL='select count(*) from entries'
export HOSTS=many NB_THREADS=$THREADS WORK FP_MAX_FILES=${FP_MAX_FILES:-100} LIMIT_PASSES=1
bash "$BENCH/run.sh" "$N" "$E" > "$WORK/run.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then tail -20 "$WORK/run.log"; echo "bench run.sh failed ($rc); log: $WORK/run.log"; exit $rc; fi
sed -n '/^== results/,$p' "$WORK/run.log"

# ---------------------------------------------------------------- sfeed: a parser's floor
# sfeed (hand-written C, no tree, no entity tables) turns the whole farm into TSV: the
# fastest plain parse of these bytes there is, for the parse-path ratio below.
SFEED_TIME=$WORK/sfeed.time
: > "$SFEED_TIME"
if command -v sfeed >/dev/null; then
  xargs cat < "$WORK/filelist.txt" > "$WORK/all.xml"
  for _ in 1 2 3; do /usr/bin/time -f "%U %S" -a -o "$SFEED_TIME" sfeed < "$WORK/all.xml" > /dev/null; done
  echo "$(stat -c %s "$WORK/all.xml") bytes" >> "$SFEED_TIME"
fi

# ---------------------------------------------------------------- the warm transport floor
# What the HTTP exchanges of a warm refresh cost by themselves: curl --parallel making the
# same conditional requests (each feed's validators, as orrery stored them) against the same
# farm, then orrery's own warm refresh, side by side with the server as run.sh runs it.
WARM=$WORK/warm-floor
rm -rf "$WARM" && mkdir -p "$WARM"
PORT_WARM=${PORT_WARM:-18182}
sed "s/:18080\//:$PORT_WARM\//" "$WORK/urls.txt" > "$WARM/urls.txt"
rm -f "$WARM/ready"
/usr/bin/python3 "$BENCH/farm/serve.py" --dir "$WORK/feeds" --port "$PORT_WARM" --latency-ms "${LATENCY_MS:-20,200}" \
  --faults "${FAULTS:-404=0.01,500=0.01,301=0.02,slow=0.01,trunc=0.01}" --fault-seed "${SEED:-1}" \
  --slow-seconds "${SLOW_S:-5}" --max-seconds 900 --prewarm --ready-file "$WARM/ready" > "$WARM/server.log" 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null' EXIT
for _ in $(seq 1 600); do [ -e "$WARM/ready" ] && break; sleep 0.2; done
# First the cold floor again, beside orrery: curl's fetch (the harness's command) and orrery's
# cold refresh alternating, three rounds (the harness measures curl once, and its CPU moved
# from 0.52 to 0.85 s between two runs of this bench on the same build); the report takes
# the medians.
# Each round also keeps orrery's own account of its stages and has libxml2's SAX parse the
# farm and SQLite insert its entries (the harness's limit program) once beside it, so that
# the parse ratios and the whole floor sum are medians of runs side by side: the harness's
# single insert measured 0.29, 0.30 and 0.61 s in three runs of this bench on one day.
awk '{print "url = \"" $0 "\"\noutput = \"/dev/null\""}' "$WARM/urls.txt" > "$WARM/cold.curlrc"
: > "$WARM/cold-times.txt"
: > "$WARM/cold-runs.jsonl"
: > "$WARM/sax-runs.jsonl"
: > "$WARM/store-runs.jsonl"
for _ in 1 2 3; do
  /usr/bin/time -f "curl %U %S" -a -o "$WARM/cold-times.txt" curl -s -L --compressed --parallel \
    --parallel-max "$THREADS" --max-time 30 -K "$WARM/cold.curlrc" > /dev/null 2>&1
  rm -f "$WARM/ours.db" "$WARM/ours.db-wal" "$WARM/ours.db-shm"
  /usr/bin/time -f "orrery %U %S" -a -o "$WARM/cold-times.txt" "$ROOT/orrery" refresh --urls "$WARM/urls.txt" \
    --db "$WARM/ours.db" -j "$THREADS" --json >> "$WARM/cold-runs.jsonl"
  if [ -x "$BENCH/limit/limit" ]; then
    "$BENCH/limit/limit" sax "$WORK/filelist.txt" 1 >> "$WARM/sax-runs.jsonl" 2>/dev/null
    "$BENCH/limit/limit" store "$WORK/filelist.txt" "$WARM/limit-store.db" 1 >> "$WARM/store-runs.jsonl" 2>/dev/null
    rm -f "$WARM/limit-store.db" "$WARM/limit-store.db-journal"
  fi
done
# SQLite's own cost of writing what that cold refresh stored, into orrery's schema
# (store_floor.sh): the floor under the storing stage, beside orrery's own account of it
bash "$ROOT/tests/bench/store_floor.sh" "$WARM/ours.db" "$WARM" > "$WARM/store-floor.txt" 2>&1
# then a second run, so that the stored validators are those a warm run sends
"$ROOT/orrery" refresh --urls "$WARM/urls.txt" --db "$WARM/ours.db" -j "$THREADS" --json > /dev/null
# one block per feed (curl's `next` starts the next one's options afresh)
sqlite3 -separator $'\t' "$WARM/ours.db" "SELECT coalesce(fetch_url, url), coalesce(etag, ''),
  coalesce(last_modified, '') FROM feeds WHERE gone = 0" | awk -F'\t' -v q='"' '
  NR > 1 { print "next" }
  { gsub(/"/, "\\\"", $2)
    print "url = " q $1 q; print "output = /dev/null"; print "silent"; print "location"; print "compressed"
    print "max-time = 30"; print "write-out = " q "%{http_code}\\n" q
    if ($2 != "") print "header = " q "If-None-Match: " $2 q
    if ($3 != "") print "header = " q "If-Modified-Since: " $3 q }' > "$WARM/curlrc"
: > "$WARM/times.txt"
for _ in 1 2 3; do
  /usr/bin/time -f "curl %U %S" -a -o "$WARM/times.txt" curl -s --parallel --parallel-max "$THREADS" -K "$WARM/curlrc" \
    > "$WARM/curl-codes.txt" 2>/dev/null
  /usr/bin/time -f "orrery %U %S" -a -o "$WARM/times.txt" "$ROOT/orrery" refresh --urls "$WARM/urls.txt" \
    --db "$WARM/ours.db" -j "$THREADS" --json > /dev/null
done
sort "$WARM/curl-codes.txt" | uniq -c | awk '{printf "%s:%s ", $2, $1} END {print ""}' > "$WARM/curl-status.txt"
kill $SRV 2>/dev/null
trap - EXIT

# ---------------------------------------------------------------- 10,000 feeds: memory
BIG=$WORK/big
if [ "$N_BIG" -gt 0 ]; then
  echo
  echo "== orrery alone on $N_BIG feeds ($E entries each): memory as the planet grows"
  mkdir -p "$BIG"
  if [ "$(cat "$BIG/farm.id" 2>/dev/null)" != "$N_BIG $E" ]; then    # generated once, reused
    /usr/bin/python3 "$BENCH/farm/gen_feeds.py" --out "$BIG/feeds" -n "$N_BIG" -e "$E" -q || exit 1
    echo "$N_BIG $E" > "$BIG/farm.id"
  fi
  PORT_BIG=${PORT_BIG:-18181}
  ls "$BIG/feeds"/f* | sort | awk -v p="$PORT_BIG" '{n=split($0,a,"/"); h=a[n]; sub(/\.[a-z]+$/, "", h); print "http://" h ".localhost:" p "/f/" a[n]}' > "$BIG/urls.txt"
  rm -f "$BIG/ready"
  /usr/bin/python3 "$BENCH/farm/serve.py" --dir "$BIG/feeds" --port "$PORT_BIG" --prewarm --max-seconds 1800 \
    --ready-file "$BIG/ready" > "$BIG/server.log" 2>&1 &
  SRV=$!
  trap 'kill $SRV 2>/dev/null' EXIT
  for _ in $(seq 1 900); do [ -e "$BIG/ready" ] && break; sleep 0.2; done
  : > "$BIG/summaries.jsonl"
  : > "$BIG/times.txt"
  # first the same server's first $N feeds alone: CPU per feed compared like with like.  The
  # machine's speed drifts 10-20 % from run to run, so this goes ROUNDS_BIG times and the
  # report takes the median ratio; sync first, so that no run pays for the writeback of the
  # previous run's database (1.3 GB at 10,000 feeds).
  head -n "$N" "$BIG/urls.txt" > "$BIG/urls-small.txt"
  for round in $(seq 1 "${ROUNDS_BIG:-3}"); do
    rm -rf "$BIG/db" && mkdir -p "$BIG/db"
    sync
    for run in cold warm; do
      /usr/bin/time -f "%e %U %S %M" -o "$BIG/time-small-$run" "$ROOT/orrery" refresh --urls "$BIG/urls-small.txt" \
        --db "$BIG/db/small.db" -j "$THREADS" --json > /dev/null
      echo "small-$run $(tail -n 1 "$BIG/time-small-$run")" >> "$BIG/times.txt"
    done
    sync
    for run in cold warm; do
      /usr/bin/time -f "%e %U %S %M" -o "$BIG/time-$run" "$ROOT/orrery" refresh --urls "$BIG/urls.txt" \
        --db "$BIG/db/ours.db" -j "$THREADS" --json >> "$BIG/summaries.jsonl"
      echo "$run $(tail -n 1 "$BIG/time-$run")" >> "$BIG/times.txt"   # after any "exited 3" line
    done
  done
  kill $SRV 2>/dev/null
  trap - EXIT
fi

echo
./orrery lua tests/bench/refresh_report.lua "$WORK/results.jsonl" "$SUMMARIES" "$N" "$BIG" "$N_BIG" "$THREADS" \
  "$SFEED_TIME" "$WARM"
