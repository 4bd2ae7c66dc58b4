#!/bin/bash
# Packs the prefsuite CLI for a Linux GPU machine that has PyTorch (CUDA) but no .NET: the managed build, the
# TorchSharp and SkiaSharp native glue, the benchmarks (hf-gpu), and the .NET runtime as a tarball — no libtorch, which the machine's PyTorch
# provides (see check-cuda.sh). Usage: benchmarks/gpu/pack.sh [FOLDER]   (default .gpu, about 45 MB)
set -euo pipefail
cd "$(dirname "$0")/../.."
folder=${1:-.gpu}
dotnet build cli/PrefSuite.Cli -c Release -v q
dotnet build benchmarks/PrefSuite.Benchmarks -c Release -v q
build=cli/PrefSuite.Cli/bin/Release/net10.0
rm -rf "$folder" && mkdir -p "$folder/app/runtimes/linux-x64/native"
cp benchmarks/PrefSuite.Benchmarks/bin/Release/net10.0/*.dll benchmarks/PrefSuite.Benchmarks/bin/Release/net10.0/*.json "$folder/app/"
cp "$build"/*.dll "$build"/*.json "$build"/libprefsuite_mkl_intel_path.so "$folder/app/"
cp -r "$build/Fonts" "$folder/app/"
cp "$build"/runtimes/linux-x64/native/{libLibTorchSharp.so,libSkiaSharp.so,libHarfBuzzSharp.so,libhf_tokenizers.so} "$folder/app/runtimes/linux-x64/native/"
root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime=$(ls -d "$root"/shared/Microsoft.NETCore.App/10.* | sort -V | tail -1)
(cd "$root" && tar -cf - "shared/Microsoft.NETCore.App/$(basename "$runtime")" dotnet host | xz -T0 -6 > "$OLDPWD/$folder/dotnet.tar.xz")
(cd "$folder" && tar -cf - app | xz -T0 -6 > app.tar.xz && rm -rf app)   # the call's tree is limited to 64 MiB
cp benchmarks/gpu/check-cuda.sh benchmarks/gpu/hf-gpu.sh benchmarks/gpu/hf-learn.sh "$folder/"
du -sh "$folder"
