#!/usr/bin/env bash
# Whole-system throughput: a Confluent.Kafka producer and consumer (separate processes) against Beltline
# (default settings and --durable) and, in the same run, librdkafka's in-memory mock broker.
# Then consumer-group consumption and end-to-end latency against both Beltline targets.
# Writes the medians into docs/benchmarks.md.   Usage: bench/throughput.sh [repetitions] [all|throughput|groups]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
reps="${1:-3}"
only="${2:-all}"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "Building (Release)…" >&2
dotnet build bench/Beltline.Bench.Throughput -c Release -o "$work/bench" -nologo -v quiet -clp:ErrorsOnly >&2
./beltline --help >/dev/null

# Starts a broker on a free port with its own data dir, in this shell so the exit trap can stop it.
start_broker() {
  local name="$1"; shift
  ./beltline broker --port 0 --metrics-port 0 --data-dir "$work/$name" "$@" > "$work/$name.log" 2>&1 &
  pids+=($!)
}

# Prints a started broker's bootstrap address once it listens.
bootstrap_of() {
  local name="$1"
  for _ in $(seq 1 200); do
    if grep -q "bootstrap.servers=" "$work/$name.log"; then
      grep -o "bootstrap.servers=[0-9.:]*" "$work/$name.log" | head -n1 | cut -d= -f2
      return 0
    fi
    sleep 0.1
  done
  echo "broker $name did not start:" >&2; cat "$work/$name.log" >&2; exit 1
}

start_broker beltline
start_broker durable --durable
beltline="$(bootstrap_of beltline)"
durable="$(bootstrap_of durable)"
if [ "$only" != groups ]; then
  dotnet "$work/bench/beltline-bench.dll" suite docs/benchmarks.md "$reps" \
    "Beltline=$beltline" "Beltline --durable=$durable"
fi
if [ "$only" != throughput ]; then
  dotnet "$work/bench/beltline-bench.dll" group-suite docs/benchmarks.md "$reps" \
    "Beltline=$beltline" "Beltline --durable=$durable"
fi
