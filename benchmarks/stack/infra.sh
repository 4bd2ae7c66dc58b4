# Sourced by the stack benchmarks: `port` (a free local port), and Redis, RabbitMQ and Azurite (Debian's servers,
# scripts/local-infra.sh) started on free ports under the folder "$1", their connection settings exported.
# Stop them with: scripts/local-infra.sh stop "$1"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
export PREFSUITE_REDIS_PORT=$(port) PREFSUITE_AMQP_PORT=$(port) PREFSUITE_EPMD_PORT=$(port) PREFSUITE_DIST_PORT=$(port) \
  PREFSUITE_AZURITE_PORT=$(port) PREFSUITE_NODE=prefsuite-bench-$$
scripts/local-infra.sh start "$1" >/dev/null
# shellcheck disable=SC1091
source "$1/env"
