#!/usr/bin/env bash
# The stage bus's publish path at two commits, interleaved on one private broker: 300 batches of 32 events (confirms
# outstanding together) per rep, 5 reps a program run, ROUNDS rounds alternating which goes first.
#   benchmarks/messaging/publish-before-after.sh BEFORE_COMMIT [WORK_DIR]   (needs Debian's rabbitmq-server)
set -euo pipefail
cd "$(dirname "$0")/../.."
before=${1:?a commit to compare with}
work=${2:-$(mktemp -d)}
rounds=${ROUNDS:-6}
git worktree add -f "$work/before" "$before" >/dev/null
trap 'git worktree remove --force "$work/before"' EXIT
for v in after before; do
  repo=$([ $v = after ] && pwd || echo "$work/before")
  dotnet build -c Release benchmarks/messaging/PublishBench -p:Repo="$repo" -o "$work/out-$v" >/dev/null
done
export PREFSUITE_AMQP_PORT=${PREFSUITE_AMQP_PORT:-29672} PREFSUITE_REDIS_PORT=${PREFSUITE_REDIS_PORT:-29379} \
  PREFSUITE_DIST_PORT=${PREFSUITE_DIST_PORT:-49672} PREFSUITE_EPMD_PORT=${PREFSUITE_EPMD_PORT:-29369} \
  PREFSUITE_AZURITE_PORT=${PREFSUITE_AZURITE_PORT:-29100} PREFSUITE_NODE=prefsuite-publish-bench
export PATH="$PWD/tools/azurite/node_modules/.bin:$PATH"
scripts/local-infra.sh start "$work/infra" >/dev/null
trap 'scripts/local-infra.sh stop "$work/infra"; git worktree remove --force "$work/before"' EXIT
uri="amqp://guest:guest@127.0.0.1:$PREFSUITE_AMQP_PORT/"
for round in $(seq 1 "$rounds"); do
  order=$([ $((round % 2)) = 1 ] && echo "before after" || echo "after before")
  for v in $order; do echo "$v $(dotnet "$work/out-$v/PublishBench.dll" "$uri" 300 | tr '\n' ' ')"; done
done | tee "$work/figures.txt"
python3 -c '
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, *seconds = line.split()
    runs.setdefault(name, []).extend(map(float, seconds))
for name, s in runs.items():
    print(f"{name}: median {statistics.median(s):.3f} s per 9,600 messages ({len(s)} reps, {min(s):.3f}-{max(s):.3f})")
' "$work/figures.txt"
