#!/usr/bin/env bash
# Clickstream processor throughput: `beltline process --bounded` (one processing thread) over the clicks of a seeded
# `beltline clickstream --no-delay` run (one generator thread, USERS sessions: about 5 million clicks for the default)
# on a local Beltline broker. Each repetition reads the whole input with a fresh group and state directory. The median
# events/s goes into docs/benchmarks.md.   Usage: bench/processor.sh [reps] [users]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
reps="${1:-3}"
users="${2:-130000}"
source bench/lib.sh
start_broker

echo "Producing the input ($users sessions)…" >&2
./beltline topics create clickstream --partitions 3 --bootstrap "$bootstrap" >/dev/null
./beltline clickstream --bootstrap "$bootstrap" --topic clickstream --threads 1 --users "$users" --seed 1 --no-delay \
  --no-event-log --bookmark "$work/bookmark.txt" > "$work/producer.out" 2>&1
events="$(cat "$work/bookmark.txt")"
echo "  $events clicks" >&2

rates=(); cpus=()
for i in $(seq 1 "$reps"); do
  TIMEFORMAT="%U %S"
  { time ./beltline process --bootstrap "$bootstrap" --topic clickstream --group-id "bench-$i" \
    --state-dir "$work/state-$i" --bounded --sessions-topic "s-$i" --session-counts-topic "c-$i" --departments-topic "d-$i" \
    > "$work/process.out" 2>"$work/process.err" || { cat "$work/process.err" >&2; exit 1; } ; } 2> "$work/time.txt"
  rate="$(summary_value "events/s" "$work/process.out")"
  outputs="$(summary_value "outputs" "$work/process.out")"
  cpu="$(awk '{ printf "%.1f", $1 + $2 }' "$work/time.txt")"
  echo "  run $i: $rate events/s, $outputs outputs, ${cpu} s CPU (process total)" >&2
  rates+=("$rate"); cpus+=("$cpu")
done
rate="$(printf '%s\n' "${rates[@]}" | median)"

table="$(cat <<TABLE
| input | events/s (median of $reps) | runs | CPU seconds per run (whole process) |
|---|---:|---|---|
| $events clicks, 3 partitions | $rate | $(IFS=/; echo "${rates[*]}") | $(IFS=/; echo "${cpus[*]}") |

Measured $(date -u +%Y-%m-%d) on $(nproc) cores, broker and processor on the same machine: \`bench/processor.sh $reps $users\`.
TABLE
)"
write_section processor "$table"
echo "$table"
