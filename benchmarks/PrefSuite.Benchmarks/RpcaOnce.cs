using System.Diagnostics;
using System.Globalization;
using PrefSuite.Science.Denoising;

namespace PrefSuite.Benchmarks;

/// <summary>
/// Times robust PCA on the benchmark matrices, best of a few runs, in the same shape as the NumPy reference prints:
/// <c>rpca-once [--full-svd] [--pattern NAME] [--repeats R] N…</c>.
/// </summary>
internal static class RpcaOnce
{
    public static void Run(string[] args)
    {
        var full = false;
        var pattern = "bt-flips";
        var repeats = 3;
        var sizes = new List<int>();
        for (var a = 0; a < args.Length; a++)
        {
            switch (args[a])
            {
                case "--full-svd":
                    full = true;
                    break;
                case "--pattern":
                    pattern = args[++a];
                    break;
                case "--repeats":
                    repeats = int.Parse(args[++a], CultureInfo.InvariantCulture);
                    break;
                default:
                    sizes.Add(int.Parse(args[a], CultureInfo.InvariantCulture));
                    break;
            }
        }

        var options = new RobustPcaOptions { Svd = full ? SvdMode.Full : SvdMode.Auto };
        foreach (var n in sizes.Count > 0 ? sizes : [100, 200, 500, 1000])
        {
            var m = BenchmarkMatrices.Create(pattern, n);
            RobustPca.Decompose(m, options: options); // warm-up (JIT)
            var best = double.PositiveInfinity;
            RobustPcaResult? result = null;
            for (var repeat = 0; repeat < repeats; repeat++)
            {
                var clock = Stopwatch.StartNew();
                result = RobustPca.Decompose(m, options: options);
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pattern={pattern} n={n} svd={(full ? "full" : "auto")} seconds={best:F4} iterations={result!.Iterations} residual={result.Residual:E2} rank={result.Rank} flagged={result.Flagged} full_svd_iterations={result.FullSvdIterations} subspace_products={result.SubspaceIterations} lanczos_steps={result.LanczosSteps} checksum={m.Data.Sum():R}"));
        }
    }
}
