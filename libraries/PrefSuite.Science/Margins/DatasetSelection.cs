using PrefSuite.Science.Routing;

namespace PrefSuite.Science.Margins;

/// <summary>The outcome of dataset-level selection for one pair.</summary>
/// <param name="Tie">The pair's external margin is zero: it states no preference, so it is never a DPO pair (dropped, or
/// routed to SFT on the chosen when routing is on).</param>
public readonly record struct PairSelection(double ExternalProbability, double? ImplicitProbability, double Probability, bool Kept, PairRoute Route, bool Tie = false);

/// <summary>The outcome of dataset-level selection: per-pair decisions, the output order of the kept pairs, and the constants used.</summary>
public sealed record DatasetSelectionResult(
    IReadOnlyList<PairSelection> Pairs,
    IReadOnlyList<int> Order,
    double ExternalCap,
    double? ImplicitCap,
    double RouteThreshold,
    int KeptCount,
    int SftCount,
    int DroppedTies = 0);

/// <summary>
/// Margin-based selection over a whole dataset (Deng et al., SCIENCE.md §3) followed by small-margin routing (§6):
/// margins → probabilities with dataset caps → aggregation → keep the top K by probability → route the kept pairs.
/// </summary>
/// <remarks>
/// A pair whose external margin is zero (equal rewards, e.g. two samples with one integer score) states no preference:
/// DPO on it would push apart two responses the reward model rates the same. Without routing such ties are dropped
/// before the top K is taken (K counts the remaining pairs); with routing they compete for the top K like any pair and,
/// when kept, go to SFT whatever the threshold, which is the lower tercile of the kept non-tie margins.
/// </remarks>
public static class DatasetSelection
{
    /// <param name="externalMargins">r(y_w) − r(y_l) for every pair.</param>
    /// <param name="implicitMargins">The implicit margin for every pair, or empty when the dataset has none.</param>
    public static DatasetSelectionResult Apply(ReadOnlySpan<double> externalMargins, ReadOnlySpan<double> implicitMargins, DatasetSelectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var n = externalMargins.Length;
        if (!implicitMargins.IsEmpty && implicitMargins.Length != n)
        {
            throw new ArgumentException($"{implicitMargins.Length} implicit margins for {n} pairs; give one per pair or none.", nameof(implicitMargins));
        }

        if (n == 0)
        {
            return new DatasetSelectionResult([], [], double.NaN, null, double.NaN, 0, 0);
        }

        var externalCap = options.ExternalCap ?? MarginProbability.CapFromQuantile(externalMargins, options.CapQuantile);
        var external = MarginProbability.ToProbabilities(externalMargins, externalCap);
        double? implicitCap = null;
        double[]? implicitP = null;
        if (!implicitMargins.IsEmpty)
        {
            implicitCap = options.ImplicitCap ?? MarginProbability.CapFromQuantile(implicitMargins, options.CapQuantile);
            implicitP = MarginProbability.ToProbabilities(implicitMargins, implicitCap.Value);
        }

        var combined = new double[n];
        for (var i = 0; i < n; i++)
        {
            combined[i] = implicitP is null ? external[i] : MarginAggregation.Combine(options.Aggregation, external[i], implicitP[i]);
        }

        var tie = new bool[n];
        var ties = 0;
        for (var i = 0; i < n; i++)
        {
            tie[i] = externalMargins[i] == 0;
            ties += tie[i] ? 1 : 0;
        }

        // Without routing a tie can only be dropped: rank the others alone.
        var dropTies = !options.RouteSmallMargins && ties > 0;
        var ranked = combined;
        var eligible = n;
        if (dropTies)
        {
            ranked = (double[])combined.Clone();
            for (var i = 0; i < n; i++)
            {
                ranked[i] = tie[i] ? double.NegativeInfinity : combined[i];
            }

            eligible = n - ties;
        }

        var keptIndices = eligible == 0 ? [] : TopK.Indices(ranked, options.Keep.Resolve(eligible));
        Array.Sort(keptIndices);
        var kept = new bool[n];
        foreach (var i in keptIndices)
        {
            kept[i] = true;
        }

        var keptMargins = new double[keptIndices.Length];
        for (var k = 0; k < keptIndices.Length; k++)
        {
            keptMargins[k] = externalMargins[keptIndices[k]];
        }

        var nonTieKeptMargins = Array.FindAll(keptMargins, m => m != 0);
        var threshold = options.RouteSmallMargins ? SmallMarginRouting.Threshold(nonTieKeptMargins, options.RouteQuantile) : double.NegativeInfinity;
        var routes = new PairRoute[n];
        var sft = 0;
        foreach (var i in keptIndices)
        {
            routes[i] = tie[i] ? PairRoute.Sft : SmallMarginRouting.Route(externalMargins[i], threshold);
            sft += routes[i] == PairRoute.Sft ? 1 : 0;
        }

        // Curriculum order (easy → hard) only when routing; otherwise the kept pairs stay in input order.
        var order = options.RouteSmallMargins
            ? SmallMarginRouting.CurriculumOrder(keptMargins).Select(k => keptIndices[k]).ToArray()
            : keptIndices;

        var pairs = new PairSelection[n];
        for (var i = 0; i < n; i++)
        {
            pairs[i] = new PairSelection(external[i], implicitP?[i], combined[i], kept[i], routes[i], tie[i]);
        }

        return new DatasetSelectionResult(pairs, order, externalCap, implicitCap, threshold, keptIndices.Length, sft, dropTies ? ties : 0);
    }
}
