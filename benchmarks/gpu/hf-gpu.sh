#!/bin/bash
# Runs on the GPU machine from the repository root, after pack.sh: writes the Qwen2-0.5B-shaped BF16 checkpoint of
# benchmarks/reference/qwen_gpu_torch.py, then times transformers (that script) and PrefSuite (PrefSuite.Benchmarks
# hf-gpu) on it, interleaved, ROUNDS times (default 2). Logs to $OUT/hf-gpu.txt (default ./hf-gpu.txt).
# Usage: bash .gpu/hf-gpu.sh
set -uo pipefail
folder=$(dirname "$0")
out=${OUT:-.}
exec > >(tee "$out/hf-gpu.txt") 2>&1
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv
torchlib=$(python3 -c "import torch, os; print(os.path.dirname(torch.__file__))")/lib
mkdir -p /tmp/prefsuite-dotnet && tar -xJf "$folder/dotnet.tar.xz" -C /tmp/prefsuite-dotnet && tar -xJf "$folder/app.tar.xz" -C /tmp/prefsuite-dotnet
export DOTNET_ROOT=/tmp/prefsuite-dotnet LD_LIBRARY_PATH=$torchlib DOTNET_NOLOGO=1 DOTNET_TieredPGO=1
echo "--- unresolved symbols of LibTorchSharp against this libtorch (none is good)"
ldd -r "/tmp/prefsuite-dotnet/app/runtimes/linux-x64/native/libLibTorchSharp.so" 2>&1 | grep -i "undefined\|not found" | head -5
python3 -c "import onnxruntime as o; print('python onnxruntime', o.__version__, o.get_available_providers())"
time python3 benchmarks/reference/qwen_gpu_torch.py --write /tmp/qwen-0.5b
for round in $(seq "${ROUNDS:-2}"); do
  echo "--- round $round"
  timeout 240 python3 benchmarks/reference/qwen_gpu_torch.py /tmp/qwen-0.5b
  timeout 240 /tmp/prefsuite-dotnet/dotnet "/tmp/prefsuite-dotnet/app/PrefSuite.Benchmarks.dll" hf-gpu /tmp/qwen-0.5b cuda
done
nvidia-smi --query-gpu=clocks.sm,temperature.gpu,power.draw --format=csv
