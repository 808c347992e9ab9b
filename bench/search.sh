#!/usr/bin/env bash
# Search store: bulk indexing of DOCS processor-like session documents and the dashboard's aggregations over them,
# with the store pinned to one core (taskset -c 0) and the client on the other. Writes docs/benchmarks.md.
# Usage: bench/search.sh [docs] [query repetitions]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
docs="${1:-1000000}"
reps="${2:-200}"
source bench/lib.sh

./beltline --help >/dev/null
dotnet build bench/Beltline.Bench.Search -c Release -o "$work/bench" -nologo -v quiet -clp:ErrorsOnly >&2
taskset -c 0 ./beltline search --port 0 --data-dir "$work/search" > "$work/search.log" 2>&1 &
broker_pid=$!   # lib.sh stops it at exit
for _ in $(seq 1 200); do grep -q "Search ready: " "$work/search.log" && break; sleep 0.1; done
endpoint="$(grep -o "Search ready: http://[0-9.:]*/" "$work/search.log" | head -n1 | cut -d' ' -f3)"
[ -n "$endpoint" ] || { echo "search store did not start:" >&2; cat "$work/search.log" >&2; exit 1; }

echo "Indexing $docs documents, then $reps runs of each aggregation…" >&2
result="$(taskset -c 1 dotnet "$work/bench/beltline-search-bench.dll" "$endpoint" "$docs" "$reps")"
echo "$result" >&2
table="$(echo "$result" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
print("| documents | bulk docs/s (store on one core) |")
print("|---:|---:|")
print("| {:,} | {:,.0f} |".format(r["documents"], r["docsPerSecond"]))
print()
print("| aggregation | p50 ms | p99 ms | max ms |")
print("|---|---:|---:|---:|")
for name, l in r["latencies"].items():
    print("| {} | {:.1f} | {:.1f} | {:.1f} |".format(name, l["p50"], l["p99"], l["max"]))
')"
table="$table

Measured $(date -u +%Y-%m-%d) on $(nproc) cores: \`bench/search.sh $docs $reps\`."
write_section search "$table"
echo "$table"
