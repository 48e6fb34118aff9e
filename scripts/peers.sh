#!/usr/bin/env bash
# Installs the real peers the tests and the demo use, reusing the cache, and prints as its last
# line a JSON object with the path of each: {"consul": "...", "consul_image": "..."}.
#
# consul        a static Consul agent built from the Go module proxy (or $CONSUL_BIN)
# consul_image  hashicorp/consul:<version> built FROM scratch in the local Docker engine, when
#               one is reachable through $DOCKER_HOST (null otherwise)
# kafka         the jars of a Kafka 4.x broker (KRaft) from Maven Central
# kafka_zk      the jars of Kafka 3.9 (ZooKeeper mode, with the ZooKeeper server classes)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

consul=$(bash "$here/build_consul.sh" | tail -n 1)
version=$("$consul" version | sed -n 's/^Consul v\([0-9.]*\).*/\1/p')
image="hashicorp/consul:$version"

consul_image=null
if [[ -n "${DOCKER_HOST:-}" ]] && docker version >/dev/null 2>&1; then
  if ! docker image inspect "$image" >/dev/null 2>&1; then
    ctx=$(mktemp -d)
    trap 'rm -rf "$ctx"' EXIT
    cp "$consul" "$ctx/consul"
    cat >"$ctx/Dockerfile" <<'DOCKERFILE'
# A local stand-in for the official image: the same name and tag, a static agent FROM scratch.
FROM scratch
COPY consul /bin/consul
ENTRYPOINT ["/bin/consul"]
DOCKERFILE
    echo "building the image $image" >&2
    docker build -q -t "$image" "$ctx" >&2
  fi
  consul_image="\"$image\""
  bash "$here/base_images.sh" >/dev/null
fi
kafka=$(bash "$here/install_kafka.sh" 4.1.2 | tail -n 1)
kafka_zk=$(bash "$here/install_kafka.sh" 3.9.1 | tail -n 1)
printf '{"consul": "%s", "consul_image": %s, "kafka": "%s", "kafka_zk": "%s"}\n' \
  "$consul" "$consul_image" "$kafka" "$kafka_zk"
