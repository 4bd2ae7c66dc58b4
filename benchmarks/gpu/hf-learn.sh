#!/bin/bash
# Runs on the GPU machine from the repository root, after pack.sh: does DPO learn in BF16 on CUDA? PrefSuite.Benchmarks
# hf-learn (held-out implicit-reward accuracy before and after 24 DPO steps on " yes"/" no" pairs) on the 0.5B
# Qwen2-shaped checkpoint on CUDA, and on the tiny one (same vocabulary, 2 layers) on CUDA and on the CPU.
# Logs to $OUT/hf-learn.txt.  Usage: bash .gpu/hf-learn.sh
set -uo pipefail
folder=$(dirname "$0")
out=${OUT:-.}
exec > >(tee "$out/hf-learn.txt") 2>&1
torchlib=$(python3 -c "import torch, os; print(os.path.dirname(torch.__file__))")/lib
mkdir -p /tmp/prefsuite-dotnet && tar -xJf "$folder/dotnet.tar.xz" -C /tmp/prefsuite-dotnet && tar -xJf "$folder/app.tar.xz" -C /tmp/prefsuite-dotnet
export DOTNET_ROOT=/tmp/prefsuite-dotnet LD_LIBRARY_PATH=$torchlib DOTNET_NOLOGO=1
python3 benchmarks/reference/qwen_gpu_torch.py --write /tmp/qwen-0.5b
python3 benchmarks/reference/qwen_gpu_torch.py --write /tmp/qwen-tiny --tiny
bench() { timeout 100 /tmp/prefsuite-dotnet/dotnet /tmp/prefsuite-dotnet/app/PrefSuite.Benchmarks.dll "$@"; }
bench hf-learn /tmp/qwen-0.5b cuda 1e-5 1e-4
bench hf-learn /tmp/qwen-tiny cuda 1e-3
bench hf-learn /tmp/qwen-tiny cpu 1e-3
