#!/usr/bin/env bash
# Installs what the tests need (kcat, node + KafkaJS, kafka-python, Go + sarama, chromium), builds everything and runs every test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

# Run apt as root or through sudo; a fresh machine needs `apt-get update` once before any install.
apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# What the integration tests drive, installed with apt only when missing (one `apt-get update` for all):
#  - kcat, the librdkafka CLI (never librdkafka-dev: it makes Confluent.Kafka load an old librdkafka);
#  - node and npm, for KafkaJS (tests/clients/kafkajs);
#  - Debian's python3 with kafka-python and the modules of its codecs (tests/clients/python);
#  - Debian's Go and sarama's sources, built by the tests in GOPATH mode (tests/clients/go);
#  - Debian's chromium, which the dashboard's browser tests drive through Playwright.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
if ! /usr/bin/python3 -c "import kafka, lz4, snappy, zstandard" >/dev/null 2>&1; then
  missing+=(python3 python3-kafka python3-lz4 python3-snappy python3-zstandard)
fi
if ! command -v go >/dev/null 2>&1 || ! command -v gcc >/dev/null 2>&1 || [ ! -d /usr/share/gocode/src/github.com/Shopify/sarama ]; then
  missing+=(golang-go gcc libc6-dev golang-github-shopify-sarama-dev)  # gcc: sarama's zstd codec is cgo
fi
if ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs npm)
elif ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}…"
  apt_install "${missing[@]}"
fi

# KafkaJS, pinned by tests/clients/kafkajs/package-lock.json: `npm ci` when node_modules is missing or older
# than the lock file (or package.json); the stamp is written only after a successful install.
kafkajs="tests/clients/kafkajs"
stamp="$kafkajs/node_modules/.beltline-npm-ci"
if [ ! -f "$stamp" ] || [ "$kafkajs/package-lock.json" -nt "$stamp" ] || [ "$kafkajs/package.json" -nt "$stamp" ]; then
  echo "test.sh: installing KafkaJS (npm ci)…"
  (cd "$kafkajs" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$stamp"
fi

echo "test.sh: building…"
dotnet build Beltline.slnx -c Release -nologo -v quiet -clp:ErrorsOnly

echo "test.sh: running tests…"
status=0
for project in tests/*/*.csproj; do  # every .NET test project (tests/clients holds the non-.NET clients)
  name="$(basename "$project" .csproj)"
  echo "== $name"
  dotnet test "$project" -c Release --no-build --nologo -v quiet --logger "console;verbosity=minimal" || status=1
done

# librdkafka's own test suite: the smoke set of issue A2 and the idempotent-producer tests (about 3.5 minutes once
# the runner is built; the first build takes a few more and is cached outside the repo). The whole list
# (compat/librdkafka/tests.txt, ~26 minutes) is `compat/librdkafka/run.sh`.
echo "== librdkafka test suite (smoke set)"
TESTS="${LIBRDKAFKA_SMOKE_TESTS:-0000 0001 0004 0012 0017 0022 0030 0039 0049 0076 0086 0090 0094}" compat/librdkafka/run.sh || status=1
exit $status
