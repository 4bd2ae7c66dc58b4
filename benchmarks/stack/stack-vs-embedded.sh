#!/usr/bin/env bash
# Times the same run — PROMPTS prompts × N = 16, sample → score → denoise → select, no training — in one process
# (`prefsuite run`) and through the AppHost stack (`prefsuite run --stack`), the stack with 1 and 2 sampling replicas.
# Usage: benchmarks/stack/stack-vs-embedded.sh [WORK_DIR]   (needs Debian's redis-server and rabbitmq-server)
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-$(mktemp -d)}
prompts=${PROMPTS:-1000}
mkdir -p "$work"
dotnet build -c Release cli/PrefSuite.Cli >/dev/null
dotnet build -c Release AppHost >/dev/null
cli=(dotnet cli/PrefSuite.Cli/bin/Release/net10.0/prefsuite.dll)

# One policy for every variant: the demo SFT, 300 steps.
"${cli[@]}" train --runs-dir "$work/models" --demo-sft --steps 300 --set-default >/dev/null
policy="$work/models/models/policies/$(cat "$work/models/models/aliases/default")"

run_args=(--policy "$policy" --prompts "$prompts" --samples 16 --no-train --quiet --no-report --run-id bench)

start=$(date +%s.%N)
"${cli[@]}" run --runs-dir "$work/embedded" "${run_args[@]}" >/dev/null
embedded=$(echo "$(date +%s.%N) - $start" | bc)
echo "embedded: ${embedded} s"

for replicas in 1 2; do
  artifacts="$work/stack-$replicas"
  port=$((5190 + replicas))
  ASPIRE_ALLOW_UNSECURED_TRANSPORT=true ASPNETCORE_URLS=http://localhost:18888 \
  ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:18889 ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true \
    dotnet run --project AppHost -c Release --no-build -- --Infrastructure:Mode=executables --Artifacts:Root="$artifacts" \
      --Stages:pipeline:Port=$port --Stages:sampling:Replicas=$replicas > "$work/apphost-$replicas.log" 2>&1 &
  apphost=$!
  # Wait until the pipeline answers (a throw-away run of one prompt also warms every service up).
  for _ in $(seq 1 120); do
    if "${cli[@]}" run --stack "http://localhost:$port" --runs-dir "$artifacts" --policy "$policy" --prompts 2 --samples 2 --no-train --quiet --no-report --run-id warmup >/dev/null 2>&1; then
      break
    fi
    sleep 2
  done
  start=$(date +%s.%N)
  "${cli[@]}" run --stack "http://localhost:$port" --runs-dir "$artifacts" "${run_args[@]}" >/dev/null
  stack=$(echo "$(date +%s.%N) - $start" | bc)
  echo "stack, $replicas sampling replica(s): ${stack} s (ratio to embedded $(echo "scale=2; $stack / $embedded" | bc))"
  kill -TERM "$apphost"
  wait "$apphost" || true
  # The orchestrator stops the services after the AppHost exits: let them go before the next variant starts.
  for _ in $(seq 1 120); do
    pgrep -f 'bin/Release/net10.0/PrefSuite\.[A-Za-z]+Service' >/dev/null || break
    sleep 1
  done
done
