#!/usr/bin/env bash
# Whole-process time of `prefsuite denoise` (start-up, reading the CSV, robust PCA, writing low_rank.csv, sparse.csv,
# scores.csv and report.json) beside NumPy's inexact ALM on the same matrices (algorithm only, and the whole Python
# process including NumPy's import and building the matrix), each the median of REPEATS runs, interleaved. NumPy runs
# with OpenBLAS's default threads and with OPENBLAS_NUM_THREADS=1; the reference is the faster median.
#   benchmarks/reference/denoise_process.sh [FOLDER] [pattern:n ...]     (default generic:600 bt-large:200 bt-large:500)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${1:-/tmp/prefsuite-denoise-bench}"
shift || true
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(generic:600 bt-large:200 bt-large:500)
repeats="${REPEATS:-5}"
mkdir -p "$dir"
dotnet build -c Release cli/PrefSuite.Cli -v q -nologo >/dev/null
cli=cli/PrefSuite.Cli/bin/Release/net10.0/prefsuite.dll
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
for case in "${cases[@]}"; do
  pattern="${case%%:*}"; n="${case##*:}"
  /usr/bin/python3 benchmarks/reference/rpca_numpy.py --pattern "$pattern" --csv "$dir" "$n"
  process=() algorithm=() python=() python1=()
  for _ in $(seq "$repeats"); do
    start=$(date +%s.%N)
    dotnet "$cli" denoise --matrix "$dir/$pattern-$n.csv" --output-dir "$dir/out-$pattern-$n" 2>/dev/null
    end=$(date +%s.%N)
    process+=("$(echo "$end - $start" | bc)")
    algorithm+=("$(grep -o '"seconds": [0-9.eE+-]*' "$dir/out-$pattern-$n/report.json" | awk '{print $2}')")
    start=$(date +%s.%N)
    line=$(/usr/bin/python3 benchmarks/reference/rpca_numpy.py --pattern "$pattern" --repeats 1 "$n")
    end=$(date +%s.%N)
    python+=("$(echo "$line" | sed 's/.*median=\([0-9.]*\).*/\1/') $(echo "$end - $start" | bc)")
    start=$(date +%s.%N)
    line=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 benchmarks/reference/rpca_numpy.py --pattern "$pattern" --repeats 1 "$n")
    end=$(date +%s.%N)
    python1+=("$(echo "$line" | sed 's/.*median=\([0-9.]*\).*/\1/') $(echo "$end - $start" | bc)")
  done
  p=$(printf '%s\n' "${process[@]}" | median)
  a=$(printf '%s\n' "${algorithm[@]}" | median)
  na2=$(printf '%s\n' "${python[@]}" | awk '{print $1}' | median)
  na1=$(printf '%s\n' "${python1[@]}" | awk '{print $1}' | median)
  np2=$(printf '%s\n' "${python[@]}" | awk '{print $2}' | median)
  np1=$(printf '%s\n' "${python1[@]}" | awk '{print $2}' | median)
  na=$(printf '%s\n%s\n' "$na2" "$na1" | sort -g | head -1)
  np_=$(printf '%s\n%s\n' "$np2" "$np1" | sort -g | head -1)
  echo "pattern=$pattern n=$n prefsuite_process=$p prefsuite_algorithm=$a numpy_algorithm=$na (2 threads $na2, 1 thread $na1) numpy_process=$np_ process_ratio=$(echo "scale=3; $p / $na" | bc) algorithm_ratio=$(echo "scale=3; $a / $na" | bc) (medians of $repeats; load $(cut -d' ' -f1-3 /proc/loadavg))"
done
