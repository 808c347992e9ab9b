#!/usr/bin/env bash
# Clickstream processor throughput: `beltline process --bounded` (one processing thread) over the clicks of a seeded
# `beltline clickstream --no-delay` run (one generator thread, USERS sessions: about 5.7 million clicks for the default)
# on a local Beltline broker. Each repetition reads the whole input with a fresh group and state directory. The median
# events/s goes into docs/benchmarks.md.   Usage: bench/processor.sh [reps] [users]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
reps="${1:-3}"
users="${2:-130000}"
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
  rate="$(awk -F'│' '/│ events\/s/ { gsub(/[ ,]/, "", $3); print $3 }' "$work/process.out")"
  outputs="$(awk -F'│' '/│ outputs/ { gsub(/[ ,]/, "", $3); print $3 }' "$work/process.out")"
  cpu="$(awk '{ printf "%.1f", $1 + $2 }' "$work/time.txt")"
  echo "  run $i: $rate events/s, $outputs outputs, ${cpu} s CPU (process total)" >&2
  rates+=("$rate"); cpus+=("$cpu")
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
rate="$(printf '%s\n' "${rates[@]}" | median)"

table="$(cat <<TABLE
| input | events/s (median of $reps) | runs | CPU seconds per run (whole process) |
|---|---:|---|---|
| $events clicks, 3 partitions | $rate | $(IFS=/; echo "${rates[*]}") | $(IFS=/; echo "${cpus[*]}") |

Measured $(date -u +%Y-%m-%d) on $(nproc) cores, broker and processor on the same machine: \`bench/processor.sh $reps $users\`.
TABLE
)"
awk -v table="$table" '
  /<!-- processor:start -->/ { print; print table; skip = 1; next }
  /<!-- processor:end -->/ { skip = 0 }
  !skip { print }
' docs/benchmarks.md > "$work/benchmarks.md"
cp "$work/benchmarks.md" docs/benchmarks.md
echo "$table"
