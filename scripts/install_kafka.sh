#!/usr/bin/env bash
# Gathers the jars of a Kafka broker from Maven Central into the cache, once, and prints the
# folder that holds them. Usage: install_kafka.sh [version]   (default 4.1.2)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="${1:-4.1.2}"
cache="${AMP_PILOT_CACHE:-$HOME/.cache/amp-pilot}"
out="$cache/kafka-$version/libs"
if [[ ! -f "$out/.complete" ]]; then
  command -v mvn >/dev/null || { echo "installing Kafka needs Maven (mvn) on PATH" >&2; exit 1; }
  echo "gathering Kafka $version jars from Maven Central into $out" >&2
  rm -rf "$out"
  mkdir -p "$out"
  mvn -q -B -f "$here/kafka/pom.xml" -Dkafka.version="$version" \
    dependency:copy-dependencies -DoutputDirectory="$out" -DincludeScope=runtime >&2
  touch "$out/.complete"
fi
echo "$out"
