#!/bin/bash
# make bench, a floor of storing: SQLite itself (the sqlite3 shell) writing the very rows a
# cold refresh stored — its entries and kept documents — into a fresh database with orrery's
# own schema for them (the entries' six indexes, 16 KB pages, WAL, synchronous=NORMAL) in
# COMMITS transactions, as INSERT ... SELECT: no per-row work but SQLite's.  Reading the rows
# out of the source costs too, so that is measured alone (a pass summing their lengths) and
# taken off.  Best of PASSES.  Prints one line: "store_floor CPU_S READ_S ROWS".
#   store_floor.sh SOURCE_DB WORKDIR [COMMITS [PASSES]]
set -u -o pipefail
SRC=$1
DIR=$2
COMMITS=${3:-10}
PASSES=${4:-3}
OUT=$DIR/store-floor.db
command -v sqlite3 >/dev/null || { echo "store_floor: no sqlite3 shell"; exit 0; }
rows=$(sqlite3 "$SRC" 'SELECT count(*) FROM entries')
max=$(sqlite3 "$SRC" 'SELECT coalesce(max(id), 0) FROM entries')
[ "$rows" -gt 0 ] || { echo "store_floor: no entries in $SRC"; exit 0; }
step=$(( (max + COMMITS - 1) / COMMITS ))
schema=$(sqlite3 "$SRC" "SELECT sql || ';' FROM sqlite_master WHERE tbl_name IN ('entries', 'documents')
  AND type IN ('table', 'index') AND sql IS NOT NULL")
{
  echo "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
  echo "$schema"
  echo "ATTACH '$SRC' AS s;"
  for ((a = 0; a < max; a += step)); do
    echo "BEGIN; INSERT INTO main.entries SELECT * FROM s.entries WHERE id > $a AND id <= $((a + step)) ORDER BY id;"
    # the documents go in beside the entries, in the same transactions
    echo "INSERT INTO main.documents SELECT * FROM s.documents WHERE id % $COMMITS = $((a / step)); COMMIT;"
  done
} > "$DIR/store-floor.sql" 2>/dev/null
read_sql="SELECT sum(length(guid) + length(coalesce(link, '')) + length(coalesce(title, '')) + length(coalesce(summary, ''))
  + length(coalesce(content, '')) + length(hash) + length(coalesce(text_key, '')) + length(coalesce(link_key, '')))
  FROM entries; SELECT sum(length(body)) FROM documents;"
best=; best_read=
for _ in $(seq 1 "$PASSES"); do
  rm -f "$OUT" "$OUT-wal" "$OUT-shm"
  t=$( { /usr/bin/time -f "%U %S" sqlite3 "$OUT" < "$DIR/store-floor.sql" > /dev/null; } 2>&1 | tail -n 1 | awk '{print $1 + $2}')
  r=$( { /usr/bin/time -f "%U %S" sqlite3 "$SRC" "$read_sql" > /dev/null; } 2>&1 | tail -n 1 | awk '{print $1 + $2}')
  if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
  if [ -z "$best_read" ] || awk -v a="$r" -v b="$best_read" 'BEGIN { exit !(a < b) }'; then best_read=$r; fi
done
got=$(sqlite3 "$OUT" 'SELECT count(*) FROM entries')
[ "$got" = "$rows" ] || { echo "store_floor: stored $got of $rows rows"; exit 1; }
rm -f "$OUT" "$OUT-wal" "$OUT-shm"
echo "store_floor $best $best_read $rows"
