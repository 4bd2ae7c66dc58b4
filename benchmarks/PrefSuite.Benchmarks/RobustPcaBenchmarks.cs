using BenchmarkDotNet.Attributes;
using PrefSuite.Science.Denoising;
using PrefSuite.Science.LinearAlgebra;

namespace PrefSuite.Benchmarks;

/// <summary>
/// Robust PCA to a relative residual of 1e-7 on the benchmark matrices (<see cref="BenchmarkMatrices"/>; the NumPy
/// reference builds the same ones): Bradley–Terry with 3% flipped comparisons, with 5% of entries or comparisons
/// replaced by large values, and a generic rank-5% matrix with 5% gross errors.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 7)]
public class RobustPcaBenchmarks
{
    private DenseMatrix _matrix = new(1, 1);

    public static IEnumerable<string> Cases { get; } =
    [
        "bt-flips/200", "bt-flips/500", "bt-flips/1000",
        "bt-large/200", "bt-large/500", "bt-large/1000",
        "bt-large-skew/200", "bt-large-skew/500",
        "generic/200", "generic/600",
    ];

    /// <summary>pattern/n.</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "bt-flips/200";

    [GlobalSetup]
    public void Setup()
    {
        var parts = Case.Split('/');
        _matrix = BenchmarkMatrices.Create(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Benchmark]
    public int Rpca() => RobustPca.Decompose(_matrix).Iterations;
}
