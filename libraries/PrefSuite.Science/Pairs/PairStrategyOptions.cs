using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Pairs;

/// <summary>Settings for building a pair strategy; the defaults are SCIENCE.md's.</summary>
public sealed record PairStrategyOptions
{
    /// <summary>One of <see cref="StrategyNames"/>.</summary>
    public string Name { get; init; } = StrategyNames.SweetSpot;

    /// <summary>Chosen position for sweet-spot and position strategies (default max).</summary>
    public RewardPosition? Chosen { get; init; }

    /// <summary>Rejected position for sweet-spot and position strategies (default μ−2σ).</summary>
    public RewardPosition? Rejected { get; init; }

    /// <summary>How many random samples max-min-of-k-random takes its rejected from.</summary>
    public int K { get; init; } = 5;

    public int PairsPerPrompt { get; init; } = 1;

    public ulong Seed { get; init; }

    public SigmaKind Sigma { get; init; } = SigmaKind.Population;
}
