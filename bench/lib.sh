# Shared by the bench scripts (sourced): a scratch directory, a local broker, medians, summary rows, doc sections.

work="$(mktemp -d)"
broker_pid=""
bench_cleanup() {
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap bench_cleanup EXIT

# Builds the CLI if needed and starts a broker on a free port; sets $bootstrap once it listens.
start_broker() {
  ./beltline --help >/dev/null
  ./beltline broker --port 0 --metrics-port 0 --data-dir "$work/broker" > "$work/broker.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 1 200); do grep -q "bootstrap.servers=" "$work/broker.log" && break; sleep 0.1; done
  bootstrap="$(grep -o "bootstrap.servers=[0-9.:]*" "$work/broker.log" | head -n1 | cut -d= -f2)"
  [ -n "$bootstrap" ] || { echo "broker did not start:" >&2; cat "$work/broker.log" >&2; exit 1; }
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The value of a row of a `beltline` summary table (│ name │ value │), digits only: summary_value "events/s" < output
summary_value() { awk -F'│' -v row="$1" '{ name = $2; gsub(/^ +| +$/, "", name) } name == row { gsub(/[ ,]/, "", $3); print $3 }' "${@:2}"; }

# Replaces what stands between <!-- NAME:start --> and <!-- NAME:end --> in docs/benchmarks.md.
write_section() {
  awk -v table="$2" -v start="<!-- $1:start -->" -v end="<!-- $1:end -->" '
    $0 == start { print; print table; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }
  ' docs/benchmarks.md > "$work/benchmarks.md"
  cp "$work/benchmarks.md" docs/benchmarks.md
}
