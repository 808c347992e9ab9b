#!/usr/bin/env bash
# Clickstream producer throughput: `beltline clickstream --no-delay` (2 threads, the original's producer settings)
# against a local Beltline broker on the same machine, with and without the event log. Each run lasts
# SECONDS; the median events/s of REPS runs goes into docs/benchmarks.md.   Usage: bench/clickstream.sh [reps] [seconds]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
reps="${1:-3}"
seconds="${2:-20}"
work="$(mktemp -d)"
broker_pid=""
cleanup() {
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

./beltline --help >/dev/null
./beltline broker --port 0 --metrics-port 0 --data-dir "$work/broker" > "$work/broker.log" 2>&1 &
broker_pid=$!
for _ in $(seq 1 200); do grep -q "bootstrap.servers=" "$work/broker.log" && break; sleep 0.1; done
bootstrap="$(grep -o "bootstrap.servers=[0-9.:]*" "$work/broker.log" | head -n1 | cut -d= -f2)"
[ -n "$bootstrap" ] || { echo "broker did not start:" >&2; cat "$work/broker.log" >&2; exit 1; }

# One run; prints its events/s (the summary's row).
run() {
  ./beltline clickstream --bootstrap "$bootstrap" --topic "bench-$RANDOM$RANDOM" --no-delay --run-for "$seconds" \
    --bookmark "$work/bookmark.txt" --event-log "$work/events.log" --seed 1 "$@" 2>"$work/err.log" \
    | awk -F'│' '/│ events\/s/ { gsub(/[ ,]/, "", $3); print $3 }'
  rm -f "$work/events.log"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A results
for variant in "--no-event-log" "event log"; do
  values=()
  for i in $(seq 1 "$reps"); do
    if [ "$variant" = "--no-event-log" ]; then v="$(run --no-event-log)"; else v="$(run)"; fi
    [ -n "$v" ] || { echo "run failed:" >&2; cat "$work/err.log" >&2; exit 1; }
    echo "  $variant run $i: $v events/s" >&2
    values+=("$v")
  done
  results["$variant"]="$(printf '%s\n' "${values[@]}" | median) (runs: $(IFS=/; echo "${values[*]}"))"
done

table="$(cat <<TABLE
| clickstream --no-delay, 2 threads | events/s (median of $reps × ${seconds} s) |
|---|---|
| --no-event-log | ${results["--no-event-log"]} |
| with the event log (the original's default) | ${results["event log"]} |

Measured $(date -u +%Y-%m-%d) on $(nproc) cores, broker and producer on the same machine: \`bench/clickstream.sh $reps $seconds\`.
TABLE
)"
awk -v table="$table" '
  /<!-- clickstream:start -->/ { print; print table; skip = 1; next }
  /<!-- clickstream:end -->/ { skip = 0 }
  !skip { print }
' docs/benchmarks.md > "$work/benchmarks.md"
cp "$work/benchmarks.md" docs/benchmarks.md
echo "$table"
