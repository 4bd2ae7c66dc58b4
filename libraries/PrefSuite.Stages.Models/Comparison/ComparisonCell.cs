using PrefSuite.Science.Statistics;

namespace PrefSuite.Stages.Comparison;

/// <summary>A mean over repeats and its standard error (NaN with one repeat).</summary>
public readonly record struct MeanWithError(double Mean, double StandardError)
{
    public static MeanWithError Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            return new(double.NaN, double.NaN);
        }

        if (finite.Length == 1)
        {
            return new(finite[0], double.NaN);
        }

        var statistics = RewardStatistics.Compute(finite, SigmaKind.Sample);
        return new(statistics.Mean, statistics.StdDev / Math.Sqrt(finite.Length));
    }
}

/// <summary>One (variant, N) cell of a comparison, summarised over its repeats.</summary>
public sealed record ComparisonCell(
    string Variant,
    int N,
    int Repeats,
    double Pairs,
    double RoutedToSft,
    double MeanChosenReward,
    double MeanRejectedReward,
    MeanWithError RewardAccuracy,
    MeanWithError HeldOutReward,
    MeanWithError HeldOutExact)
{
    /// <summary>The cells in the order the results first name them (N, then variant, as the comparison runs them).</summary>
    public static IReadOnlyList<ComparisonCell> Summarize(IReadOnlyList<ComparisonResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return results
            .GroupBy(r => (r.Variant, r.N))
            .Select(g => new ComparisonCell(
                g.Key.Variant,
                g.Key.N,
                g.Count(),
                g.Average(r => r.Pairs),
                g.Average(r => r.RoutedToSft),
                g.Average(r => r.MeanChosenReward),
                g.Average(r => r.MeanRejectedReward),
                MeanWithError.Of(g.Select(r => r.RewardAccuracy).ToArray()),
                MeanWithError.Of(g.Select(r => r.HeldOutReward).ToArray()),
                MeanWithError.Of(g.Select(r => r.HeldOutExact).ToArray())))
            .ToArray();
    }
}
