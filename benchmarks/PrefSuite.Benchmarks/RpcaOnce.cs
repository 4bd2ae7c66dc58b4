using System.Diagnostics;
using System.Globalization;
using PrefSuite.Science.Denoising;
using PrefSuite.Science.LinearAlgebra;

namespace PrefSuite.Benchmarks;

/// <summary>
/// Times robust PCA on the benchmark matrices, median and minimum of R runs after a warm-up, in the same shape as the
/// NumPy reference prints: <c>rpca-once [--full-svd] [--pattern NAME] [--repeats R] N…</c>.
/// </summary>
internal static class RpcaOnce
{
    public static void Run(string[] args)
    {
        var full = false;
        var pattern = "bt-flips";
        var repeats = 5;
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
            var times = new List<double>();
            RobustPcaResult? result = null;
            for (var repeat = 0; repeat < repeats; repeat++)
            {
                var clock = Stopwatch.StartNew();
                result = RobustPca.Decompose(m, options: options);
                times.Add(clock.Elapsed.TotalSeconds);
            }

            times.Sort();
            var median = times.Count % 2 == 1 ? times[times.Count / 2] : (times[(times.Count / 2) - 1] + times[times.Count / 2]) / 2;

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pattern={pattern} n={n} svd={(full ? "full" : "auto")} lapack={FullSvd.UsesLapack} median={median:F4} min={times[0]:F4} iterations={result!.Iterations} residual={result.Residual:E2} rank={result.Rank} flagged={result.Flagged} full_svd_iterations={result.FullSvdIterations} subspace_products={result.SubspaceIterations} lanczos_steps={result.LanczosSteps} checksum={m.Data.Sum():R}"));
        }
    }
}
