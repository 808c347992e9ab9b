#!/usr/bin/env bash
# Produce throughput through each of MSK's listeners of one broker: PLAINTEXT, SSL (TLS) and SASL_SSL (SCRAM-SHA-512
# over TLS), measured with `beltline perf produce` (acks=all, 1 KiB records, 3 partitions), the listeners taken in
# turn within each repetition. Writes the medians into docs/benchmarks.md.
# Usage: bench/secure.sh [records] [repetitions]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
records="${1:-1000000}"
reps="${2:-3}"
source bench/lib.sh

./beltline --help >/dev/null
./beltline ca init --dir "$work/ca" >/dev/null
./beltline ca issue broker broker --dir "$work/ca" >/dev/null
./beltline users create bench --password bench-secret --mechanism SCRAM-SHA-512 --data-dir "$work/broker" >/dev/null
./beltline broker --port 0 --tls-port 0 --sasl-port 0 --tls-cert "$work/ca/broker.crt" --tls-key "$work/ca/broker.key" \
  --metrics-port 0 --data-dir "$work/broker" > "$work/broker.log" 2>&1 &
broker_pid=$!   # lib.sh stops it at exit
for _ in $(seq 1 200); do grep -q "SASL_SSL listener: bootstrap.servers=" "$work/broker.log" && break; sleep 0.1; done
address() { grep -o "$1 bootstrap.servers=[0-9.:]*" "$work/broker.log" | head -n1 | cut -d= -f2; }
plaintext="$(address "Broker ready:")"
tls="$(address "TLS listener:")"
sasl="$(address "SASL_SSL listener:")"
[ -n "$sasl" ] || { echo "broker did not start:" >&2; cat "$work/broker.log" >&2; exit 1; }

printf 'bootstrap.servers=%s\n' "$plaintext" > "$work/PLAINTEXT.properties"
printf 'bootstrap.servers=%s\nsecurity.protocol=SSL\nssl.ca.location=%s\n' "$tls" "$work/ca/ca.crt" > "$work/SSL.properties"
printf 'bootstrap.servers=%s\nsecurity.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.username=bench\nsasl.password=bench-secret\nssl.ca.location=%s\n' \
  "$sasl" "$work/ca/ca.crt" > "$work/SASL_SSL.properties"
./beltline topics create bench --partitions 3 --command-config "$work/PLAINTEXT.properties" >/dev/null

listeners=(PLAINTEXT SSL SASL_SSL)
for rep in $(seq 1 "$reps"); do
  for listener in "${listeners[@]}"; do
    echo "run $rep/$reps: $listener…" >&2
    ./beltline perf produce --topic bench --num-records "$records" --record-size 1024 --acks all \
      --command-config "$work/$listener.properties" -o json \
      | /usr/bin/python3 -c 'import json, sys; print("%.0f" % json.load(sys.stdin)["recordsPerSecond"])' >> "$work/$listener.rates"
  done
done

base="$(median < "$work/PLAINTEXT.rates")"
table="| listener | records/s (median) | MB/s | of PLAINTEXT |
|---|---:|---:|---:|"
for listener in "${listeners[@]}"; do
  rate="$(median < "$work/$listener.rates")"
  table="$table
$(/usr/bin/python3 -c "import sys; r, b = float(sys.argv[1]), float(sys.argv[2]); print('| $listener | {:,.0f} | {:.1f} | {:.0f} % |'.format(r, r * 1024 / 1048576, 100 * r / b))" "$rate" "$base")"
done
table="$table

Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $reps runs each of $records records: \`bench/secure.sh $records $reps\`."
write_section secure "$table"
echo "$table"
