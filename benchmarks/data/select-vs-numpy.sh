#!/bin/bash
# prefsuite select, as installed by scripts/publish (the dataset commands compiled ahead of time) and as the .NET build
# that `dotnet run --project cli/PrefSuite.Cli` and the .NET tool run, against the json + NumPy loop a TRL user writes (benchmarks/reference/select_numpy.py), side by side on the same
# UltraFeedback-shaped files, interleaved; wall time and peak resident memory from GNU time.
#
#   benchmarks/data/select-vs-numpy.sh FOLDER [PROMPTS ...]      (default: 64000 1000000; REPEATS=3)
#
# Inputs are generated into FOLDER by benchmarks/reference/make_ultrafeedback.py (16 completions per prompt; about
# 154 MB at 64,000 prompts, 2.4 GB at 1,000,000) and reused when present. All three must write the same pairs.
set -euo pipefail
cd "$(dirname "$0")/../.."
folder=${1:?usage: select-vs-numpy.sh FOLDER [PROMPTS ...]}
shift
sizes=("${@:-64000 1000000}")
read -r -a sizes <<< "${sizes[*]}"
repeats=${REPEATS:-3}
mkdir -p "$folder"
dotnet build cli/PrefSuite.Cli -c Release -v q -nologo > /dev/null
dotnet publish cli/PrefSuite.Cli.Native -c Release -o "$folder/native" -v q -nologo > /dev/null
prefsuite=cli/PrefSuite.Cli/bin/Release/net10.0/prefsuite
native=$folder/native/prefsuite   # what scripts/publish puts in DIR/prefsuite
python=/usr/bin/python3

measure() { # label command...
  local label=$1; shift
  /usr/bin/time -o "$folder/.time" -f "%e %U %S %M" "$@" > /dev/null 2> "$folder/.stderr" || { cat "$folder/.stderr"; exit 1; }
  read -r wall user sys rss < "$folder/.time"
  printf '%-32s wall %6.2f s  user %6.2f s  sys %5.2f s  peak RSS %7.1f MB\n' "$label" "$wall" "$user" "$sys" "$(echo "$rss / 1024" | bc -l)"
}

echo "machine: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"
echo "dotnet $(dotnet --list-runtimes | grep NETCore.App | tail -1 | cut -d' ' -f2); $($python --version); numpy $($python -c 'import numpy; print(numpy.__version__)')"
for n in "${sizes[@]}"; do
  input="$folder/uf-$n.jsonl"
  [ -s "$input" ] || $python benchmarks/reference/make_ultrafeedback.py --prompts "$n" --completions 16 "$input"
  echo "== $n prompts × 16 completions, $(du -m "$input" | cut -f1) MB"
  for r in $(seq "$repeats"); do
    measure "prefsuite select, .NET (run $r)" "$prefsuite" select -i "$input" -o "$folder/prefsuite-$n.jsonl"
    measure "prefsuite select, native (run $r)" "$native" select -i "$input" -o "$folder/native-$n.jsonl"
    measure "python json+numpy (run $r)" "$python" benchmarks/reference/select_numpy.py "$input" "$folder/numpy-$n.jsonl"
  done
  cmp "$folder/prefsuite-$n.jsonl" "$folder/native-$n.jsonl" || { echo "the native and .NET builds wrote different files"; exit 1; }
  # Same pairs: prompt, chosen, rejected and scores of every row.
  $python - "$folder/prefsuite-$n.jsonl" "$folder/numpy-$n.jsonl" <<'PY'
import json, sys
keys = ("prompt", "chosen", "rejected", "score_chosen", "score_rejected")
with open(sys.argv[1]) as a, open(sys.argv[2]) as b:
    rows = same = 0
    for x, y in zip(a, b):
        x, y = json.loads(x), json.loads(y)
        rows += 1
        same += all(x[k] == y[k] for k in keys)
print(f"pairs: {rows} compared, {same} identical")
sys.exit(0 if rows == same and rows > 0 else 1)
PY
done
