#!/usr/bin/env bash
# A large run on the stack, the six services as separate processes: PROMPTS (default 1,000,000) demo prompts × 2 short
# responses (4 new tokens) from a small built-in policy, sample → score → denoise → select → dataset, no training.
# Reports wall time, each service's peak resident memory (VmHWM), and the artifact store's size, artifacts and ledger
# bytes. The store is a tmpfs of STORE_SIZE (default 6g) so that a million per-prompt artifacts are not a disk test.
# Usage (root, for the tmpfs): benchmarks/stack/million.sh [WORK_DIR]   (Debian's redis-server and rabbitmq-server)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
work=${1:-$(mktemp -d)}
prompts=${PROMPTS:-1000000}
mkdir -p "$work/logs" "$work/store"
dotnet build -c Release AppHost >/dev/null
dotnet build -c Release cli/PrefSuite.Cli >/dev/null
mount -t tmpfs -o size="${STORE_SIZE:-6g}" tmpfs "$work/store"
# shellcheck source=benchmarks/stack/infra.sh
source benchmarks/stack/infra.sh "$work/infra"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  scripts/local-infra.sh stop "$work/infra" || true
  umount -l "$work/store" || true
}
trap cleanup EXIT

cli=(dotnet cli/PrefSuite.Cli/bin/Release/net10.0/prefsuite.dll)
"${cli[@]}" train --runs-dir "$work/store" --demo-sft --steps 1 --set-default >/dev/null

declare -A service_pid http_port
for spec in Sampling:PrefSuite.SamplingService RewardScoring:PrefSuite.RewardScoringService Denoising:PrefSuite.DenoisingService \
            Selection:PrefSuite.SelectionService Training:PrefSuite.TrainingService Pipeline:PrefSuite.PipelineService; do
  folder=${spec%%:*}; assembly=${spec##*:}
  grpc=$(port); http=$(port)
  GRPC_PORT=$grpc HTTP_PORT=$http Artifacts__Root="$work/store" Models__CacheFolder="$work/cache-$folder" \
    Scoring__Scorers__0='simulated:sorting?noise=0.1&seed=3' Scoring__Scorers__1=programmatic:sorting \
    Logging__LogLevel__Default=Warning Pipeline__StallTimeout=00:05:00 \
    dotnet "services/$folder/bin/Release/net10.0/$assembly.dll" > "$work/logs/$folder.log" 2>&1 &
  service_pid[$folder]=$!; http_port[$folder]=$http; pids+=($!)
  [ "$folder" = Pipeline ] && pipeline_port=$grpc
done
for folder in "${!http_port[@]}"; do
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:${http_port[$folder]}/alive" >/dev/null && break; sleep 1; done
done

declare -A peak
sample_memory() {
  for folder in "${!service_pid[@]}"; do
    kb=$(awk '/VmHWM/ {print $2}' "/proc/${service_pid[$folder]}/status" 2>/dev/null || echo 0)
    if [ "${kb:-0}" -gt "${peak[$folder]:-0}" ]; then peak[$folder]=$kb; fi
  done
  return 0
}

start=$(date +%s)
"${cli[@]}" run --stack "http://127.0.0.1:$pipeline_port" --runs-dir "$work/store" --run-id million --prompts "$prompts" \
  --samples 2 --max-new-tokens 4 --no-train --no-report --json > "$work/progress.jsonl" 2> "$work/run.err" &
runner=$!
while kill -0 $runner 2>/dev/null; do sample_memory; sleep 5; done
wait $runner && status=ok || status="failed ($(tail -c 300 "$work/run.err"))"
sample_memory
seconds=$(( $(date +%s) - start ))

echo "run of $prompts prompts: $status in $seconds s"
for folder in Sampling RewardScoring Denoising Selection Training Pipeline; do
  echo "  $folder peak memory: $(( ${peak[$folder]:-0} / 1024 )) MiB"
done
echo "  store: $(du -sb "$work/store" | cut -f1) bytes in $(find "$work/store" -type f | wc -l) artifacts; ledger $(du -sb "$work/store/runs/million/ledger" | cut -f1) bytes"
echo "  pairs: $(wc -l < "$work/store/runs/million/pairs.jsonl" 2>/dev/null || echo 0) lines"
for folder in Sampling RewardScoring Denoising Selection Training Pipeline; do
  io=$(awk '/^(rchar|wchar)/ {printf "%s %d MiB ", $1, $2/1048576}' "/proc/${service_pid[$folder]}/io" 2>/dev/null || true)
  echo "  $folder I/O (files and sockets): $io"
done
