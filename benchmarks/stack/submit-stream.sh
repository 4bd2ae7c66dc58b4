#!/usr/bin/env bash
# Submitting a client's own PROMPTS (default 1,000,000) prompts to the stack's pipeline service: `prefsuite run --stack
# --prompts-file` streams them (SubmitRunStream, about 1 MiB a message); the service spools them to disk, checks, stores
# and indexes them, and accepts the run. Reports the time until the run is accepted and the peak resident memory
# (VmHWM) of the pipeline and of the CLI up to then. Only RabbitMQ, Redis and the pipeline service run: the run is accepted, not sampled.
# Usage: benchmarks/stack/submit-stream.sh [WORK_DIR]   (Debian's redis-server and rabbitmq-server)
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-$(mktemp -d)}
prompts=${PROMPTS:-1000000}
mkdir -p "$work/logs" "$work/store"
dotnet build -c Release services/Pipeline >/dev/null
dotnet build -c Release cli/PrefSuite.Cli >/dev/null
# shellcheck source=benchmarks/stack/infra.sh
source benchmarks/stack/infra.sh "$work/infra"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  scripts/local-infra.sh stop "$work/infra" || true
}
trap cleanup EXIT

python3 - "$work/prompts.jsonl" "$prompts" <<'PY'
import json, random, sys
rng = random.Random(7)
with open(sys.argv[1], "w") as out:
    for i in range(int(sys.argv[2])):
        digits = " ".join(str(rng.randrange(10)) for _ in range(rng.randrange(4, 12)))
        row = {"prompt_id": f"p{i}", "prompt": f"sort {digits} ="} if i % 2 else \
              {"prompt_id": f"p{i}", "prompt": [{"role": "user", "content": f"Sort these digits: {digits}"}]}
        out.write(json.dumps(row) + "\n")
PY
echo "prompts file: $(du -b "$work/prompts.jsonl" | cut -f1) bytes, $prompts prompts"

cli=(dotnet cli/PrefSuite.Cli/bin/Release/net10.0/prefsuite.dll)
"${cli[@]}" train --runs-dir "$work/store" --demo-sft --steps 1 --set-default >/dev/null
grpc=$(port); http=$(port)
GRPC_PORT=$grpc HTTP_PORT=$http Artifacts__Root="$work/store" Logging__LogLevel__Default=Warning \
  dotnet services/Pipeline/bin/Release/net10.0/PrefSuite.PipelineService.dll > "$work/logs/Pipeline.log" 2>&1 &
pipeline=$!; pids+=($pipeline)
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$http/alive" >/dev/null && break; sleep 1; done
echo "pipeline before the submission: $(( $(awk '/VmRSS/ {print $2}' /proc/$pipeline/status) / 1024 )) MiB resident"

start=$(date +%s.%N)
"${cli[@]}" run --stack "http://127.0.0.1:$grpc" --runs-dir "$work/store" --run-id streamed --prompts-file "$work/prompts.jsonl" \
  --samples 2 --no-train --no-report --json > "$work/progress.jsonl" 2> "$work/run.err" &
runner=$!; pids+=($runner)
peak=0; cli_peak=0
while kill -0 $runner 2>/dev/null && [ ! -s "$work/progress.jsonl" ]; do
  kb=$(awk '/VmHWM/ {print $2}' /proc/$pipeline/status); [ "$kb" -gt "$peak" ] && peak=$kb
  kb=$(awk '/VmHWM/ {print $2}' /proc/$runner/status 2>/dev/null || echo 0); [ "${kb:-0}" -gt "$cli_peak" ] && cli_peak=$kb
  sleep 0.2
done
accepted=$(date +%s.%N)
kb=$(awk '/VmHWM/ {print $2}' /proc/$pipeline/status); [ "$kb" -gt "$peak" ] && peak=$kb
kb=$(awk '/VmHWM/ {print $2}' /proc/$runner/status 2>/dev/null || echo 0); [ "${kb:-0}" -gt "$cli_peak" ] && cli_peak=$kb
kill $runner 2>/dev/null || true
if [ ! -s "$work/progress.jsonl" ]; then echo "submission failed: $(tail -c 400 "$work/run.err")"; exit 1; fi
echo "accepted in $(python3 -c "print(round($accepted - $start, 1))") s (CLI start, reading the file, streaming, spooling, checking, storing, indexing)"
echo "pipeline peak memory until accepted: $(( peak / 1024 )) MiB"
echo "prefsuite run (the client) peak memory until accepted: $(( cli_peak / 1024 )) MiB"
echo "stored prompts: $(du -b "$work/store/runs/streamed/prompts.pb" | cut -f1) bytes"
