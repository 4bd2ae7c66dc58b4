#!/usr/bin/env bash
# Times the same runs — PROMPTS prompts × N = 16, sample → score → denoise → select, no training — in one process
# (`prefsuite run`) and through the AppHost stack (`prefsuite run --stack`), the stack with 1 and 2 sampling replicas.
# Two workloads:
#   demo      the demo SFT policy (300 steps): short responses, the stages share the work
#   sampling  a policy after 1 SFT step: it rarely stops, so every response runs to 32 tokens and sampling dominates
# Usage: benchmarks/stack/stack-vs-embedded.sh [WORK_DIR]   (needs Debian's redis-server and rabbitmq-server)
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-$(mktemp -d)}
prompts=${PROMPTS:-1000}
mkdir -p "$work"
dotnet build -c Release cli/PrefSuite.Cli >/dev/null
dotnet build -c Release AppHost >/dev/null
cli=(dotnet cli/PrefSuite.Cli/bin/Release/net10.0/prefsuite.dll)

policy_after() { # steps -> the policy folder
  "${cli[@]}" train --runs-dir "$work/models-$1" --demo-sft --steps "$1" --set-default >/dev/null
  echo "$work/models-$1/models/policies/$(cat "$work/models-$1/models/aliases/default")"
}
declare -A args
args[demo]="--policy $(policy_after 300)"
args[sampling]="--policy $(policy_after 1) --max-new-tokens 32"
common=(--prompts "$prompts" --samples 16 --no-train --quiet --no-report)

seconds_of() { # command... -> wall seconds
  local start
  start=$(date +%s.%N)
  "$@" >/dev/null
  echo "$(date +%s.%N) - $start" | bc
}

declare -A embedded
for workload in demo sampling; do
  # shellcheck disable=SC2086
  embedded[$workload]=$(seconds_of "${cli[@]}" run --runs-dir "$work/embedded" ${args[$workload]} "${common[@]}" --run-id "$workload")
  echo "$workload, embedded: ${embedded[$workload]} s"
done

for replicas in 1 2; do
  artifacts="$work/stack-$replicas"
  port=$((5190 + replicas))
  ASPIRE_ALLOW_UNSECURED_TRANSPORT=true ASPNETCORE_URLS=http://localhost:18888 \
  ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:18889 ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true \
    dotnet AppHost/bin/Release/net10.0/PrefSuite.AppHost.dll --Infrastructure:Mode=executables --Artifacts:Root="$artifacts" \
      --Stages:pipeline:Port=$port --Stages:sampling:Replicas=$replicas > "$work/apphost-$replicas.log" 2>&1 &
  apphost=$!
  # Wait until the pipeline answers (a throw-away run of two prompts also warms every service up).
  for _ in $(seq 1 120); do
    # shellcheck disable=SC2086
    if "${cli[@]}" run --stack "http://localhost:$port" --runs-dir "$artifacts" ${args[demo]} --prompts 2 --samples 2 --no-train --quiet --no-report --run-id warmup >/dev/null 2>&1; then
      break
    fi
    sleep 2
  done
  for workload in demo sampling; do
    # shellcheck disable=SC2086
    stack=$(seconds_of "${cli[@]}" run --stack "http://localhost:$port" --runs-dir "$artifacts" ${args[$workload]} "${common[@]}" --run-id "$workload")
    echo "$workload, stack with $replicas sampling replica(s): ${stack} s (ratio to embedded $(echo "scale=2; $stack / ${embedded[$workload]}" | bc))"
  done
  kill -TERM "$apphost"
  wait "$apphost" || true
  # The orchestrator stops the services after the AppHost exits: let them go before the next variant starts.
  for _ in $(seq 1 120); do
    pgrep -f 'bin/Release/net10.0/PrefSuite\.[A-Za-z]+Service' >/dev/null || break
    sleep 1
  done
done
