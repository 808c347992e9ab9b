#!/usr/bin/env bash
# librdkafka's own test suite (tests/test-runner) against a Beltline broker.
#
#   compat/librdkafka/run.sh                  # the tests listed in compat/librdkafka/tests.txt
#   TESTS="0001 0081" compat/librdkafka/run.sh  # only these test numbers (their tests.txt flags are kept)
#
# What it does:
#  1. installs what the build needs with apt when missing (build-essential libssl-dev zlib1g-dev libzstd-dev
#     python3 rapidjson-dev; nodejs/npm only when npm is missing);
#  2. takes librdkafka's sources from the npm package @confluentinc/kafka-javascript@1.10.1 (deps/librdkafka),
#     builds the library and the test runner once and caches them outside the repo
#     (${XDG_CACHE_HOME:-~/.cache}/beltline/librdkafka-kjs-1.10.1, or $BELTLINE_LIBRDKAFKA_CACHE);
#     the build is redone only when that folder lacks the stamp of this exact recipe;
#  3. starts `./beltline broker` on a free port with a temporary data dir and 4 partitions per auto-created
#     topic, writes test.conf (bootstrap.servers=127.0.0.1:PORT) and runs each listed test in its own
#     test-runner (`TESTS=NNNN test-runner -Q -E`, see tests.txt for the per-line flags);
#  4. stops the broker (also on failure or Ctrl+C), prints one line per test and a closing
#     "librdkafka: N passed, N failed" line, and exits non-zero when any listed test failed.
#
# Environment: TESTS (override the list), TEST_KAFKA_VERSION (default 3.6.0: the Kafka version Beltline
# speaks as; it decides which tests/sub-tests librdkafka considers applicable), LIBRDKAFKA_TEST_TIMEOUT
# (seconds per test-runner, default 600), LIBRDKAFKA_TESTS_FILE (another list in the tests.txt format, e.g. to
# try excluded tests), LIBRDKAFKA_RUNNER_ARGS (more test-runner options for every line, e.g. -P: every producer
# idempotent), BELTLINE_LIBRDKAFKA_CACHE, KEEP_LOGS=1 (keep the logs folder).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

npm_package="@confluentinc/kafka-javascript"
npm_version="1.10.1"
# sha256 of the npm tarball, so a changed package is noticed rather than built.
npm_sha256="ada7d703bb1d3237e2292bfabf438d663b6160c9f1ac2a2406b5dc4257c81b66"
configure_flags=(--disable-curl --disable-sasl --disable-lz4-ext)
apt_packages=(build-essential libssl-dev zlib1g-dev libzstd-dev python3 rapidjson-dev)
# Any change to this string forces a rebuild of the cached test runner.
recipe="$npm_package@$npm_version sha256=$npm_sha256 configure ${configure_flags[*]}; make libs; make -C tests build; apt ${apt_packages[*]}"

cache="${BELTLINE_LIBRDKAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/beltline/librdkafka-kjs-$npm_version}"
src="$cache/librdkafka"
tests_dir="$src/tests"
stamp="$cache/.built"
per_test_timeout="${LIBRDKAFKA_TEST_TIMEOUT:-600}"
tests_file="${LIBRDKAFKA_TESTS_FILE:-$here/tests.txt}"
export TEST_KAFKA_VERSION="${TEST_KAFKA_VERSION:-3.6.0}"

t_start=$SECONDS
say() { echo "librdkafka: $*"; }

# ---- 1. packages ------------------------------------------------------------------------------------------
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (apt)…"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# ---- 2. sources and build (cached) ------------------------------------------------------------------------
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9  # one build at a time per cache folder; a second run waits and then finds the stamp
if [ ! -x "$tests_dir/test-runner" ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$recipe" ]; then
  t_build=$SECONDS
  say "building librdkafka and its test runner into $cache (once; 2-5 minutes)…"
  rm -rf "$src" "$stamp"
  fetch="$(mktemp -d)"
  (cd "$fetch" && npm pack "$npm_package@$npm_version" --silent --no-audit --no-fund >/dev/null)
  tarball="$(ls "$fetch"/*.tgz)"
  actual="$(sha256sum "$tarball" | cut -d' ' -f1)"
  if [ "$actual" != "$npm_sha256" ]; then
    say "$npm_package@$npm_version has sha256 $actual, expected $npm_sha256" >&2
    exit 1
  fi
  tar -xzf "$tarball" -C "$fetch" package/deps/librdkafka
  mv "$fetch/package/deps/librdkafka" "$src"
  rm -rf "$fetch"
  log="$cache/build.log"
  jobs="$(nproc 2>/dev/null || echo 2)"
  say "configure ${configure_flags[*]}"
  if ! (cd "$src" && ./configure "${configure_flags[@]}" >"$log" 2>&1); then
    tail -n 40 "$log" >&2; say "configure failed (log: $log)" >&2; exit 1
  fi
  say "make libs"
  if ! make -C "$src" -j"$jobs" libs >>"$log" 2>&1; then
    tail -n 40 "$log" >&2; say "make libs failed (log: $log)" >&2; exit 1
  fi
  say "make -C tests build"
  if ! make -C "$tests_dir" -j"$jobs" build >>"$log" 2>&1; then
    tail -n 40 "$log" >&2; say "make -C tests build failed (log: $log)" >&2; exit 1
  fi
  printf '%s' "$recipe" >"$stamp"
  say "built in $((SECONDS - t_build)) s"
fi
flock -u 9
librdkafka_version="$(sed -n 's/^#define RD_KAFKA_VERSION *0x\(..\)\(..\)\(..\)ff.*/\1 \2 \3/p' "$src/src/rdkafka.h" \
  | { read -r a b c; printf '%d.%d.%d' "0x$a" "0x$b" "0x$c"; })"

# ---- the list ---------------------------------------------------------------------------------------------
# tests.txt: "NNNN [flag…]  # why", flags: full (no -Q), sockem (no -E), local (-l: only the test's local
# tests), nolocal (-L: skip the test's local/mock tests, which never reach the broker), subtests=TEXT
# (SUBTESTS=TEXT: only sub-tests whose name contains TEXT; a test may have several such lines), timeout=SECONDS.
declare -a entries=()
while IFS= read -r line || [ -n "$line" ]; do
  line="${line%%#*}"
  read -r -a words <<<"$line" || true
  [ ${#words[@]} -gt 0 ] || continue
  entries+=("${words[*]}")
done <"$tests_file"

if [ -n "${TESTS:-}" ]; then
  declare -a chosen=()
  for n in ${TESTS//,/ }; do
    found=0
    for e in "${entries[@]}"; do
      if [ "${e%% *}" = "$n" ]; then chosen+=("$e"); found=1; fi
    done
    [ $found -eq 1 ] || chosen+=("$n")
  done
  entries=("${chosen[@]}")
fi
unset TESTS SUBTESTS
if [ ${#entries[@]} -eq 0 ]; then
  say "no tests to run" >&2
  exit 1
fi

# ---- 3. broker --------------------------------------------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/beltline-librdkafka.XXXXXX")"
broker_pid=""
keep_logs="${KEEP_LOGS:-0}"
cleanup() {
  local rc=$?
  if [ -n "$broker_pid" ] && kill -0 "$broker_pid" 2>/dev/null; then
    kill -TERM "$broker_pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$broker_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$broker_pid" 2>/dev/null || true
    wait "$broker_pid" 2>/dev/null || true
  fi
  rm -rf "$work/data"
  if [ "$keep_logs" = 1 ] || [ $rc -ne 0 ]; then
    echo "librdkafka: logs in $work"
  else
    rm -rf "$work"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$work/data" "$work/logs"
ln -s "$src/src" "$work/logs/src"  # ../src from each test's folder, as from librdkafka's tests/
broker_log="$work/logs/broker.log"
say "starting the Beltline broker (./beltline builds it on first use)…"
# --port 0: the broker binds a free port and reports it on its ready line (no race with other listeners).
# group.initial.rebalance.delay.ms=3000 is Kafka's default, which librdkafka's tests are written against (0113
# l_unsubscribe counts rebalance callbacks that only match when both members join within that delay); Beltline's
# own default is 0, like Kafka's quickstart config.
"$root/beltline" broker --port 0 --data-dir "$work/data" --default-partitions 4 --metrics-port 0 \
  --config group.initial.rebalance.delay.ms=3000 >"$broker_log" 2>&1 </dev/null &
broker_pid=$!
bootstrap=""
for _ in $(seq 1 1800); do  # up to 3 minutes: the first ./beltline builds the CLI
  bootstrap="$(grep -o 'bootstrap\.servers=127\.0\.0\.1:[0-9]*' "$broker_log" 2>/dev/null | head -n 1 | cut -d= -f2 || true)"
  [ -z "$bootstrap" ] || break
  if ! kill -0 "$broker_pid" 2>/dev/null; then
    tail -n 30 "$broker_log" >&2; say "the broker exited before it was ready" >&2; exit 1
  fi
  sleep 0.1
done
if [ -z "$bootstrap" ]; then
  tail -n 30 "$broker_log" >&2; say "the broker was not ready within 3 minutes" >&2; exit 1
fi
printf 'bootstrap.servers=%s\n' "$bootstrap" >"$work/test.conf"
say "librdkafka $librdkafka_version, broker at $bootstrap, TEST_KAFKA_VERSION=$TEST_KAFKA_VERSION, ${#entries[@]} test run(s)"

# ---- 4. tests ---------------------------------------------------------------------------------------------
export LD_LIBRARY_PATH="$src/src:$src/src-cpp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export RDKAFKA_TEST_CONF="$work/test.conf"
passed=0
failed=0
declare -a results=()
t_tests=$SECONDS
for e in "${entries[@]}"; do
  read -r -a words <<<"$e"
  num="${words[0]}"
  args=(-Q -E)
  subtests=""
  tmo="$per_test_timeout"
  label="$num"
  for f in "${words[@]:1}"; do
    case "$f" in
      full) args=("${args[@]/-Q}") ;;
      sockem) args=("${args[@]/-E}") ;;
      local) args+=(-l) ;;
      nolocal) args+=(-L) ;;
      subtests=*) subtests="${f#subtests=}"; label="$num[$subtests]" ;;
      timeout=*) tmo="${f#timeout=}" ;;
      *) say "tests.txt: unknown flag '$f' for $num" >&2; exit 2 ;;
    esac
  done
  read -r -a args <<<"${args[*]} ${LIBRDKAFKA_RUNNER_ARGS:-}"  # drop the emptied slots; add e.g. -P
  # Each test-runner in its own folder: it writes stats_*.json into the current folder, and a few tests open
  # files by paths relative to librdkafka's tests/ folder (../src/statistics_schema.json, ./fixtures).
  run_dir="$work/logs/${label//[^A-Za-z0-9_.-]/_}"
  mkdir -p "$run_dir"
  ln -sfn "$tests_dir/fixtures" "$run_dir/fixtures"
  log="$run_dir/test-runner.log"
  if ! kill -0 "$broker_pid" 2>/dev/null; then  # a broker crash fails the rest plainly, not with odd timeouts
    failed=$((failed + 1))
    results+=("$(printf 'FAIL  %-46s %5ss  %s' "$label" 0 "the broker is not running (see $broker_log)")")
    echo "FAIL  $label: the broker is not running; its last lines:"
    tail -n 5 "$broker_log" | sed 's/^/      /'
    keep_logs=1
    continue
  fi
  t0=$SECONDS
  rc=0
  # The inner bash reports a runner killed by a signal (abort() on a failed assertion) into the log, not here.
  (cd "$run_dir" && TESTS="$num" SUBTESTS="$subtests" \
    bash -c '"$@"; exit $?' _ timeout -k 10 "$tmo" "$tests_dir/test-runner" "${args[@]}") >"$log" 2>&1 || rc=$?
  dt=$((SECONDS - t0))
  plain="$run_dir/plain.log"
  sed 's/\x1b\[[0-9;]*m//g' "$log" >"$plain"
  # The summary table: "| name | STATE | 1.234s | reason" for every test the runner considered.
  rows="$(awk '/ SUMMARY$/{f=1;next} f&&/^#=+#$/{n++; if(n==2)exit; next} f&&/^\|/' "$plain" | grep -v '<MAIN>' || true)"
  n_pass="$(grep -c '| *PASSED *|' <<<"$rows" || true)"
  n_fail="$(grep -Ec '\| *(FAILED|RUNNING) *\|' <<<"$rows" || true)"
  n_sub_pass="$(grep -c ': PASS (' "$plain" || true)"
  why=""
  if [ $rc -eq 124 ]; then
    why="timed out after ${tmo}s (run.sh's limit)"
  elif [ $rc -ne 0 ] || [ "$n_fail" -gt 0 ]; then
    why="$(grep -A1 '^### Test ' "$plain" | grep -v '^--$' | grep -v '"<MAIN>"' | head -n 2 | tr '\n' ' ' || true)"
    [ -n "$why" ] || why="test-runner exited with $rc"
  elif [ "$n_pass" -eq 0 ]; then
    why="nothing ran: $(sed 's/^| *//; s/ *| */ /g' <<<"$rows" | tr '\n' ';' | head -c 300)"
    [ -n "$rows" ] || why="nothing ran: no test $num in librdkafka $librdkafka_version"
  elif [ -n "$subtests" ] && [ "$n_sub_pass" -eq 0 ]; then
    why="no sub-test matching '$subtests' ran"
  fi
  if [ -n "$why" ] && ! kill -0 "$broker_pid" 2>/dev/null; then
    why="the broker exited during this test (see $broker_log); $why"
  fi
  if [ -z "$why" ]; then
    passed=$((passed + 1))
    results+=("$(printf 'PASS  %-46s %5ss' "$label" "$dt")")
    echo "PASS  $label (${dt}s)"
  else
    failed=$((failed + 1))
    results+=("$(printf 'FAIL  %-46s %5ss  %s' "$label" "$dt" "${why:0:400}")")
    echo "FAIL  $label (${dt}s): ${why:0:400}"
    echo "      log: $log"
    keep_logs=1
  fi
done

echo
echo "librdkafka $librdkafka_version test suite against Beltline ($bootstrap, TEST_KAFKA_VERSION=$TEST_KAFKA_VERSION)"
printf '%s\n' "${results[@]}"
echo "tests took $((SECONDS - t_tests)) s, $((SECONDS - t_start)) s in all"
echo "librdkafka: $passed passed, $failed failed"
[ $failed -eq 0 ]
