#!/bin/bash
# Runs on the GPU machine from the repository root, after pack.sh: TorchSharp over the machine's PyTorch libtorch,
# `prefsuite info`, then the demo on CUDA and (unless CPU=0) on the same machine's CPU. Logs to $OUT (default .).
# Usage: bash .gpu/check-cuda.sh [demo options...]
set -uo pipefail
folder=$(dirname "$0")
out=${OUT:-.}
exec > >(tee "$out/log.txt") 2>&1
nvidia-smi -L
torchlib=$(python3 -c "import torch, os; print(os.path.dirname(torch.__file__))")/lib
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda)"
mkdir -p /tmp/prefsuite-dotnet && tar -xJf "$folder/dotnet.tar.xz" -C /tmp/prefsuite-dotnet && tar -xJf "$folder/app.tar.xz" -C /tmp/prefsuite-dotnet
export DOTNET_ROOT=/tmp/prefsuite-dotnet LD_LIBRARY_PATH=$torchlib DOTNET_NOLOGO=1
echo "--- unresolved symbols of LibTorchSharp against this libtorch (none is good)"
ldd -r "/tmp/prefsuite-dotnet/app/runtimes/linux-x64/native/libLibTorchSharp.so" 2>&1 | grep -i "undefined\|not found" | head -20
prefsuite() { /tmp/prefsuite-dotnet/dotnet "/tmp/prefsuite-dotnet/app/prefsuite.dll" "$@"; }
PREFSUITE_DEVICE=cuda prefsuite info || exit 1
echo "--- demo on CUDA"
time (PREFSUITE_DEVICE=cuda prefsuite demo --runs-dir /tmp/gpu-runs --run-id gpu --quiet "$@")
cp /tmp/gpu-runs/runs/gpu/report/evaluation.png "$out/gpu_evaluation.png" 2>/dev/null
if [ "${CPU:-1}" != 0 ]; then
  echo "--- demo on CPU (same machine)"
  time (PREFSUITE_DEVICE=cpu prefsuite demo --runs-dir /tmp/cpu-runs --run-id cpu --quiet "$@")
fi
