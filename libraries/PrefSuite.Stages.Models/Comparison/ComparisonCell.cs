using PrefSuite.Science.Statistics;

namespace PrefSuite.Stages.Comparison;

/// <summary>One (variant, N) cell of a comparison, summarised over its repeats (intervals are 95% Student-t).</summary>
public sealed record ComparisonCell(
    string Variant,
    int N,
    int Repeats,
    double Pairs,
    double RoutedToSft,
    double Epochs,
    double Steps,
    double MeanChosenReward,
    double MeanRejectedReward,
    double RejectedGroundTruth,
    double RejectedZ,
    MeanInterval RewardAccuracy,
    MeanInterval HeldOutReward,
    MeanInterval HeldOutExact)
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
                g.Average(r => r.Epochs),
                g.Average(r => r.Steps),
                g.Average(r => r.MeanChosenReward),
                g.Average(r => r.MeanRejectedReward),
                FiniteMean(g.Select(r => r.RejectedGroundTruth)),
                FiniteMean(g.Select(r => r.RejectedZ)),
                MeanInterval.Of(g.Select(r => r.RewardAccuracy).Where(double.IsFinite).ToArray()),
                MeanInterval.Of(g.Select(r => r.HeldOutReward).Where(double.IsFinite).ToArray()),
                MeanInterval.Of(g.Select(r => r.HeldOutExact).Where(double.IsFinite).ToArray())))
            .ToArray();
    }

    private static double FiniteMean(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        return finite.Length == 0 ? double.NaN : finite.Average();
    }
}

/// <summary>A paired difference of one measure between two conditions over the repeats that share their samples.</summary>
/// <param name="Variant">The treatment.</param>
/// <param name="Against">What it is compared with: the baseline variant, "start" (the starting policy), or "N=4" (the same variant at the smallest N).</param>
/// <param name="N">The N of the treatment.</param>
/// <param name="Reward">Held-out reward difference.</param>
/// <param name="Exact">Held-out exact-match difference.</param>
public sealed record PairedComparison(string Variant, string Against, int N, MeanInterval Reward, MeanInterval Exact);

/// <summary>
/// The paired analysis of a comparison: every variant against the baseline at the same N (same repeat: same samples,
/// starting policy and evaluation), every variant against its starting policy, and every variant's change from the
/// smallest N to each larger one. Each is the mean of the per-repeat differences with a 95% Student-t interval.
/// </summary>
public static class ComparisonAnalysis
{
    public const string Start = "start";

    public static IReadOnlyList<PairedComparison> AgainstBaseline(ComparisonOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var byKey = outcome.Results.ToDictionary(r => (r.Variant, r.N, r.Repeat));
        var list = new List<PairedComparison>();
        foreach (var n in outcome.Results.Select(r => r.N).Distinct())
        {
            foreach (var variant in outcome.Variants.Where(v => v.Name != outcome.Baseline))
            {
                var shared = outcome.Repeats.Where(r => byKey.ContainsKey((variant.Name, n, r.Repeat)) && byKey.ContainsKey((outcome.Baseline, n, r.Repeat))).ToArray();
                var treated = shared.Select(r => byKey[(variant.Name, n, r.Repeat)]).ToArray();
                var control = shared.Select(r => byKey[(outcome.Baseline, n, r.Repeat)]).ToArray();
                list.Add(new PairedComparison(variant.Name, outcome.Baseline, n,
                    PairedDifference.Of(treated.Select(t => t.HeldOutReward).ToArray(), control.Select(c => c.HeldOutReward).ToArray()),
                    PairedDifference.Of(treated.Select(t => t.HeldOutExact).ToArray(), control.Select(c => c.HeldOutExact).ToArray())));
            }
        }

        return list;
    }

    public static IReadOnlyList<PairedComparison> AgainstStart(ComparisonOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var start = outcome.Repeats.ToDictionary(r => r.Repeat, r => r.Start);
        return outcome.Results
            .GroupBy(r => (r.Variant, r.N))
            .Select(g => new PairedComparison(g.Key.Variant, Start, g.Key.N,
                PairedDifference.Of(g.Select(r => r.HeldOutReward).ToArray(), g.Select(r => start[r.Repeat].MeanReward).ToArray()),
                PairedDifference.Of(g.Select(r => r.HeldOutExact).ToArray(), g.Select(r => start[r.Repeat].SuccessRate).ToArray())))
            .ToArray();
    }

    /// <summary>Each variant at each N above the smallest against itself at the smallest N (same repeats).</summary>
    public static IReadOnlyList<PairedComparison> AgainstSmallestN(ComparisonOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var grid = outcome.Results.Select(r => r.N).Distinct().Order().ToArray();
        if (grid.Length < 2)
        {
            return [];
        }

        var byKey = outcome.Results.ToDictionary(r => (r.Variant, r.N, r.Repeat));
        var list = new List<PairedComparison>();
        foreach (var variant in outcome.Variants)
        {
            foreach (var n in grid.Skip(1))
            {
                var shared = outcome.Repeats.Where(r => byKey.ContainsKey((variant.Name, n, r.Repeat)) && byKey.ContainsKey((variant.Name, grid[0], r.Repeat))).ToArray();
                var large = shared.Select(r => byKey[(variant.Name, n, r.Repeat)]).ToArray();
                var small = shared.Select(r => byKey[(variant.Name, grid[0], r.Repeat)]).ToArray();
                list.Add(new PairedComparison(variant.Name, $"N={grid[0]}", n,
                    PairedDifference.Of(large.Select(t => t.HeldOutReward).ToArray(), small.Select(c => c.HeldOutReward).ToArray()),
                    PairedDifference.Of(large.Select(t => t.HeldOutExact).ToArray(), small.Select(c => c.HeldOutExact).ToArray())));
            }
        }

        return list;
    }
}
