using BenchmarkDotNet.Attributes;
using PrefSuite.Science.Denoising;
using PrefSuite.Science.LinearAlgebra;

namespace PrefSuite.Benchmarks;

/// <summary>Robust PCA of Bradley–Terry matrices with 3% flipped comparisons, to a relative residual of 1e-7.</summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class RobustPcaBenchmarks
{
    private DenseMatrix _matrix = new(1, 1);

    [Params(100, 200, 500, 1000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup() => _matrix = BenchmarkMatrices.BradleyTerryWithFlips(N);

    [Benchmark]
    public int TruncatedSvd() => RobustPca.Decompose(_matrix).Iterations;
}
