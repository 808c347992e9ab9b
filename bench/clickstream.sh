#!/usr/bin/env bash
# Clickstream producer throughput: `beltline clickstream --no-delay` (2 threads, the original's producer settings)
# against a local Beltline broker on the same machine, with and without the event log. Each run lasts
# SECONDS; the median events/s of REPS runs goes into docs/benchmarks.md.   Usage: bench/clickstream.sh [reps] [seconds]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
reps="${1:-3}"
seconds="${2:-20}"
source bench/lib.sh
start_broker

# One run; prints its events/s (the summary's row).
run() {
  ./beltline clickstream --bootstrap "$bootstrap" --topic "bench-$RANDOM$RANDOM" --no-delay --run-for "$seconds" \
    --bookmark "$work/bookmark.txt" --event-log "$work/events.log" --seed 1 "$@" 2>"$work/err.log" \
    | summary_value "events/s"
  rm -f "$work/events.log"
}

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
write_section clickstream "$table"
echo "$table"
