#!/usr/bin/env bash
# Robust PCA (algorithm only) in PrefSuite and in NumPy on the same matrices, interleaved case by case, ROUNDS rounds
# of REPEATS runs each; prints every round and the median over rounds of each side's per-round median. NumPy runs
# twice per round: with OpenBLAS's default threads (2 here) and with OPENBLAS_NUM_THREADS=1 (which suffers less when
# the machine is oversubscribed); the reference is the faster of the two.
#   benchmarks/reference/side_by_side.sh [pattern:n ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(bt-flips:200 bt-flips:500 bt-flips:1000 bt-large:200 bt-large:500 bt-large:1000 bt-large-skew:200 bt-large-skew:500 generic:200 generic:600)
rounds="${ROUNDS:-3}"
repeats="${REPEATS:-5}"
dotnet build -c Release benchmarks/PrefSuite.Benchmarks -v q -nologo >/dev/null
bench=benchmarks/PrefSuite.Benchmarks/bin/Release/net10.0/PrefSuite.Benchmarks.dll
out="$(mktemp -d)"
for round in $(seq "$rounds"); do
  for case in "${cases[@]}"; do
    pattern="${case%%:*}"; n="${case##*:}"
    cs=$(dotnet "$bench" rpca-once --pattern "$pattern" --repeats "$repeats" "$n")
    py=$(/usr/bin/python3 benchmarks/reference/rpca_numpy.py --pattern "$pattern" --repeats "$repeats" "$n")
    py1=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 benchmarks/reference/rpca_numpy.py --pattern "$pattern" --repeats "$repeats" "$n")
    c=$(echo "$cs" | sed 's/.*median=\([0-9.]*\).*/\1/')
    p2=$(echo "$py" | sed 's/.*median=\([0-9.]*\).*/\1/')
    p1=$(echo "$py1" | sed 's/.*median=\([0-9.]*\).*/\1/')
    p=$(printf '%s\n%s\n' "$p2" "$p1" | sort -g | head -1)
    echo "$c $p $p2 $p1" >> "$out/$pattern-$n"
    echo "round=$round $case prefsuite=$c numpy=$p (2 threads $p2, 1 thread $p1) ratio=$(echo "scale=3; $c / $p" | bc) | $(echo "$cs" | grep -o 'iterations=[0-9]* residual=[^ ]* rank=[0-9]* flagged=[0-9]*') | numpy $(echo "$py" | grep -o 'iterations=[0-9]* residual=[^ ]* rank=[0-9]*') $(echo "$py" | grep -o 'flagged=[0-9]*') | load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
for case in "${cases[@]}"; do
  pattern="${case%%:*}"; n="${case##*:}"
  c=$(awk '{print $1}' "$out/$pattern-$n" | median)
  p=$(awk '{print $2}' "$out/$pattern-$n" | median)
  p2=$(awk '{print $3}' "$out/$pattern-$n" | median)
  p1=$(awk '{print $4}' "$out/$pattern-$n" | median)
  echo "median $case prefsuite=$c numpy=$p (2 threads $p2, 1 thread $p1) ratio=$(echo "scale=3; $c / $p" | bc)"
done
