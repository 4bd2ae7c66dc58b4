using BenchmarkDotNet.Running;
using PrefSuite.Benchmarks;

// `dotnet run -c Release -- --filter *` runs every benchmark; `-- rpca-once [--full-svd] N…` times robust PCA without
// BenchmarkDotNet (the figure compared with benchmarks/reference/rpca_numpy.py).
if (args.Length >= 1 && args[0] == "rpca-once")
{
    RpcaOnce.Run(args.Skip(1).ToArray());
    return;
}

if (args.Length == 2 && args[0] == "hf-speed")
{
    HfDecoderSpeed.Run(args[1]);
    return;
}

if (args.Length is 2 or 3 && args[0] == "hf-gpu")
{
    HfDecoderGpuSpeed.Run(args[1], args.Length == 3 ? args[2] : "cuda");
    return;
}

if (args.Length >= 4 && args[0] == "hf-learn")
{
    HfGpuLearning.Run(args[1], args[2], args.Skip(3).Select(a => double.Parse(a, System.Globalization.CultureInfo.InvariantCulture)));
    return;
}

if (args.Length >= 1 && args[0] == "policy-speed")
{
    PolicySpeed.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
