using System.Diagnostics;
using System.Globalization;
using PrefSuite.Science.Denoising;

namespace PrefSuite.Benchmarks;

/// <summary>Times robust PCA on the benchmark matrices, best of a few runs, in the same shape as the NumPy reference prints.</summary>
internal static class RpcaOnce
{
    public static void Run(string[] args)
    {
        var full = args.Contains("--full-svd");
        var options = new RobustPcaOptions { Svd = full ? SvdMode.Full : SvdMode.Auto };
        var numbers = args.Where(a => a != "--full-svd").Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        var sizes = numbers.Length > 0 ? numbers : [100, 200, 500, 1000];
        foreach (var n in sizes)
        {
            var m = BenchmarkMatrices.BradleyTerryWithFlips(n);
            RobustPca.Decompose(m, options: options); // warm-up (JIT)
            var best = double.PositiveInfinity;
            RobustPcaResult? result = null;
            for (var repeat = 0; repeat < 3; repeat++)
            {
                var clock = Stopwatch.StartNew();
                result = RobustPca.Decompose(m, options: options);
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"n={n} svd={(full ? "full" : "auto")} seconds={best:F4} iterations={result!.Iterations} residual={result.Residual:E2} rank={result.Rank} flagged={result.Flagged} full_svd_iterations={result.FullSvdIterations}"));
        }
    }
}
