#!/usr/bin/env bash
# Installs what the tests need, builds everything and runs every test.
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

# kcat: the librdkafka CLI the integration tests drive (never librdkafka-dev: it makes Confluent.Kafka load an old librdkafka).
if ! command -v kcat >/dev/null 2>&1; then
  echo "test.sh: installing kcat…"
  apt_install kcat
fi

echo "test.sh: building…"
dotnet build Beltline.slnx -c Release -nologo -v quiet -clp:ErrorsOnly

echo "test.sh: running tests…"
status=0
for project in tests/*/; do
  name="$(basename "$project")"
  echo "== $name"
  dotnet test "$project" -c Release --no-build --nologo -v quiet --logger "console;verbosity=minimal" || status=1
done
exit $status
