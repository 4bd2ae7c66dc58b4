using BenchmarkDotNet.Attributes;
using PrefSuite.Science.Pairs;
using PrefSuite.Science.Randomness;

namespace PrefSuite.Benchmarks;

/// <summary>Per-prompt sweet-spot selection: statistics, max, and the sample nearest μ − 2σ. One operation = one prompt.</summary>
[MemoryDiagnoser]
public class SelectionBenchmarks
{
    private const int Prompts = 4096;
    private readonly PairPick[] _destination = new PairPick[1];
    private readonly IPairStrategy _sweetSpot = PairStrategies.Create(new PairStrategyOptions());
    private double[][] _rewards = [];

    [Params(16, 128, 256)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new SplitMix64(1);
        _rewards = new double[Prompts][];
        for (var p = 0; p < Prompts; p++)
        {
            _rewards[p] = new double[N];
            for (var i = 0; i < N; i++)
            {
                _rewards[p][i] = rng.NextGaussian();
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Prompts)]
    public int SweetSpotPerPrompt()
    {
        var total = 0;
        for (var p = 0; p < Prompts; p++)
        {
            total += _sweetSpot.PickPairs(_rewards[p], (ulong)p, _destination);
        }

        return total;
    }
}
