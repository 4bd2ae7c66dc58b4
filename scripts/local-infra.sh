#!/usr/bin/env bash
# Starts or stops a private Redis and RabbitMQ for tests and local runs, on their own ports and data folders, from
# Debian's redis-server and rabbitmq-server (no systemd, no Docker), and Azurite (the Azure Storage emulator, from npm:
# tools/azurite) for the artifact store's blob tests, with its own port, data folder and pid. Used by .ci/run.
#   scripts/local-infra.sh start [DIR]   -> prints the environment to export (also written to DIR/env)
#   scripts/local-infra.sh stop  [DIR]
#   scripts/local-infra.sh restart-rabbitmq|stop-redis|start-redis [DIR]   (the chaos suite's faults)
#   scripts/local-infra.sh raise-disk-alarm|clear-disk-alarm [DIR]         (the broker blocks publishers, and lets them go)
set -euo pipefail
action=${1:?start or stop}
dir=${2:-${TMPDIR:-/tmp}/prefsuite-infra}
redis_port=${PREFSUITE_REDIS_PORT:-16379}
amqp_port=${PREFSUITE_AMQP_PORT:-15672}
dist_port=${PREFSUITE_DIST_PORT:-$((amqp_port + 20000))}
epmd_port=${PREFSUITE_EPMD_PORT:-14369}
azurite_port=${PREFSUITE_AZURITE_PORT:-10100}
azurite_dir="$(cd "$(dirname "$0")/.." && pwd)/tools/azurite"
# Azurite's well-known development account (public, documented by Microsoft; never a real secret).
azurite_key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
node=${PREFSUITE_NODE:-prefsuite-test}@localhost
# Below this much free disk RabbitMQ blocks every publisher until there is room again (its default is 50MB). A test
# broker on a nearly full build machine holds a few MB of messages: only a truly full disk should stop it.
disk_limit=1MB

stop() {
  local pids=()
  for f in redis.pid rabbit.pid rabbit-launcher.pid azurite.pid; do
    [ -f "$dir/$f" ] && pids+=("$(cat "$dir/$f")")
  done
  pids+=($(pgrep -f "$node" || true))
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # The machine's PID 1 does not reap orphans: wait for each process to go, then stop this instance's epmd.
  for _ in $(seq 1 20); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && [ "$(ps -o stat= -p "$pid" | cut -c1)" != Z ] && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  ERL_EPMD_PORT="$epmd_port" epmd -port "$epmd_port" -kill >/dev/null 2>&1 || true
  rm -rf "$dir"
}

start_redis() {
  mkdir -p "$dir"/redis
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --dir "$dir/redis" --logfile "$dir/redis/redis.log"
  for _ in $(seq 1 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && return 0
    sleep 0.2
  done
}

# Stops a server by its pid file and waits for it to go (PID 1 here does not reap orphans: a zombie counts as gone).
stop_pid() {
  local file="$dir/$1" signal=${2:-TERM}
  [ -f "$file" ] || return 0
  local pid
  pid=$(cat "$file")
  kill -"$signal" "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null && [ "$(ps -o stat= -p "$pid" | cut -c1)" != Z ] || break
    sleep 0.1
  done
}

start_rabbit() {
  mkdir -p "$dir"/rabbit/{mnesia,log}
  cat > "$dir/rabbit/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$amqp_port
loopback_users = none
disk_free_limit.absolute = $disk_limit
CONF
  [ -f "$dir/rabbit/enabled_plugins" ] || : > "$dir/rabbit/enabled_plugins"
  (
    export HOME="$dir/rabbit" RABBITMQ_NODENAME="$node" RABBITMQ_NODE_PORT="$amqp_port" RABBITMQ_DIST_PORT="$dist_port" \
      RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_MNESIA_BASE="$dir/rabbit/mnesia" RABBITMQ_LOG_BASE="$dir/rabbit/log" \
      RABBITMQ_PID_FILE="$dir/rabbit.pid" RABBITMQ_CONFIG_FILE="$dir/rabbit/rabbitmq" \
      RABBITMQ_ENABLED_PLUGINS_FILE="$dir/rabbit/enabled_plugins" RABBITMQ_CONF_ENV_FILE="$dir/rabbit/rabbitmq-env.conf" \
      ERL_EPMD_PORT="$epmd_port"
    nohup /usr/lib/rabbitmq/bin/rabbitmq-server >> "$dir/rabbit/log/console.log" 2>&1 &
    echo $! > "$dir/rabbit-launcher.pid"
  )
  for _ in $(seq 1 60); do
    (exec 3<>"/dev/tcp/127.0.0.1/$amqp_port") 2>/dev/null && return 0
    sleep 1
  done
  echo "RabbitMQ did not start:" >&2
  tail -5 "$dir/rabbit/log/console.log" >&2 || true
  return 1
}

start() {
  start_redis
  if ! start_rabbit; then
    stop
    exit 1
  fi
  start_azurite
  cat > "$dir/env" <<ENV
export ConnectionStrings__redis="127.0.0.1:$redis_port"
export ConnectionStrings__rabbitmq="amqp://guest:guest@127.0.0.1:$amqp_port/"
export ConnectionStrings__artifacts="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$azurite_key;BlobEndpoint=http://127.0.0.1:$azurite_port/devstoreaccount1;"
export PREFSUITE_INFRA_DIR="$dir"
ENV
  cat "$dir/env"
}

# Azurite's blob service, installed from npm (tools/azurite/package-lock.json) on first use.
start_azurite() {
  if [ ! -x "$azurite_dir/node_modules/.bin/azurite-blob" ]; then
    (cd "$azurite_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  mkdir -p "$dir/azurite"
  nohup "$azurite_dir/node_modules/.bin/azurite-blob" --location "$dir/azurite" --blobHost 127.0.0.1 --blobPort "$azurite_port" \
    --silent --skipApiVersionCheck > "$dir/azurite.log" 2>&1 &
  echo $! > "$dir/azurite.pid"
  for _ in $(seq 1 30); do
    (exec 3<>"/dev/tcp/127.0.0.1/$azurite_port") 2>/dev/null && return 0
    sleep 0.5
  done
  echo "Azurite did not start:" >&2
  tail -5 "$dir/azurite.log" >&2 || true
  stop
  exit 1
}

# This instance's broker's own control tool (its cookie is in its HOME, its epmd on its own port).
rabbitmqctl() {
  HOME="$dir/rabbit" ERL_EPMD_PORT="$epmd_port" /usr/lib/rabbitmq/bin/rabbitmqctl -q -n "$node" "$@"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  # For the chaos suite: one server at a time, on the same ports and data (durable queues survive a broker restart).
  restart-rabbitmq) stop_pid rabbit.pid; stop_pid rabbit-launcher.pid; start_rabbit ;;
  stop-redis) stop_pid redis.pid ;;
  # For the tests of a blocked broker: RabbitMQ's free-disk alarm raised (a limit above any disk) and cleared again.
  raise-disk-alarm) rabbitmqctl set_disk_free_limit 1000000GB ;;
  clear-disk-alarm) rabbitmqctl set_disk_free_limit "$disk_limit" ;;
  start-redis) start_redis ;;
  *) echo "usage: $0 start|stop|restart-rabbitmq|stop-redis|start-redis|raise-disk-alarm|clear-disk-alarm [DIR]" >&2; exit 2 ;;
esac
