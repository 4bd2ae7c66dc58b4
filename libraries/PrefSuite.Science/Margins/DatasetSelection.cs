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
        var plan = Plan(externalMargins, implicitMargins, options);
        var n = externalMargins.Length;
        if (n == 0)
        {
            return new DatasetSelectionResult([], [], double.NaN, null, double.NaN, 0, 0);
        }

        var kept = new bool[n];
        var order = plan.Order ?? Enumerable.Range(0, n).ToArray();
        foreach (var i in order)
        {
            kept[i] = true;
        }

        var pairs = new PairSelection[n];
        for (var i = 0; i < n; i++)
        {
            pairs[i] = plan.Decide(externalMargins[i], implicitMargins.IsEmpty ? double.NaN : implicitMargins[i], kept[i]);
        }

        return new DatasetSelectionResult(pairs, order, plan.ExternalCap, plan.ImplicitCap, plan.RouteThreshold, plan.KeptCount, plan.SftCount, plan.DroppedTies);
    }

    /// <summary>
    /// Decides dataset-level selection from the margins: caps from the dataset's quantiles, the top K by aggregated
    /// probability (ties to the lower index; zero-margin pairs left out when not routing), then the routing threshold
    /// over the kept pairs' non-zero margins and the curriculum order (easy → hard) when routing. Memory: a few numbers
    /// per pair, released on return.
    /// </summary>
    /// <param name="externalMargins">r(y_w) − r(y_l) for every pair.</param>
    /// <param name="implicitMargins">The implicit margin for every pair, or empty when the dataset has none.</param>
    public static DatasetSelectionPlan Plan(ReadOnlySpan<double> externalMargins, ReadOnlySpan<double> implicitMargins, DatasetSelectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var n = externalMargins.Length;
        if (!implicitMargins.IsEmpty && implicitMargins.Length != n)
        {
            throw new ArgumentException($"{implicitMargins.Length} implicit margins for {n} pairs; give one per pair or none.", nameof(implicitMargins));
        }

        if (n == 0)
        {
            return new DatasetSelectionPlan(double.NaN, null, double.NaN, [], 0, 0, 0, options.Aggregation);
        }

        var externalCap = options.ExternalCap ?? MarginProbability.CapFromQuantile(externalMargins, options.CapQuantile);
        double? implicitCap = implicitMargins.IsEmpty ? null : options.ImplicitCap ?? MarginProbability.CapFromQuantile(implicitMargins, options.CapQuantile);
        var probe = new DatasetSelectionPlan(externalCap, implicitCap, double.NegativeInfinity, null, n, n, 0, options.Aggregation);

        var ties = 0;
        foreach (var margin in externalMargins)
        {
            ties += margin == 0 ? 1 : 0;
        }

        // Without routing a tie can only be dropped: rank the others alone.
        var dropTies = !options.RouteSmallMargins && ties > 0;
        var eligible = dropTies ? n - ties : n;
        var keep = eligible == 0 ? 0 : options.Keep.Resolve(eligible);
        int[]? kept = null;
        if (keep < n)
        {
            var ranked = new double[n];
            for (var i = 0; i < n; i++)
            {
                ranked[i] = dropTies && externalMargins[i] == 0
                    ? double.NegativeInfinity
                    : probe.Decide(externalMargins[i], implicitMargins.IsEmpty ? double.NaN : implicitMargins[i]).Probability;
            }

            kept = keep == 0 ? [] : TopK.IndicesInInputOrder(ranked, keep);
        }

        probe = probe with { DroppedTies = dropTies ? ties : 0 };
        if (!options.RouteSmallMargins)
        {
            return probe with { Order = kept, KeptCount = keep };
        }

        var keptMargins = new double[keep];
        for (var k = 0; k < keep; k++)
        {
            keptMargins[k] = externalMargins[kept is null ? k : kept[k]];
        }

        var threshold = SmallMarginRouting.Threshold(Array.FindAll(keptMargins, m => m != 0), options.RouteQuantile);
        var routed = probe with { RouteThreshold = threshold, Routes = true };
        var sft = 0;
        foreach (var margin in keptMargins)
        {
            sft += margin == 0 || SmallMarginRouting.Route(margin, threshold) == PairRoute.Sft ? 1 : 0;
        }

        // Curriculum order (easy → hard): by descending margin, ties in input order.
        var order = SmallMarginRouting.CurriculumOrder(keptMargins);
        if (kept is not null)
        {
            for (var k = 0; k < order.Length; k++)
            {
                order[k] = kept[order[k]];
            }
        }

        return routed with { Order = order, KeptCount = keep, SftCount = sft };
    }
}
