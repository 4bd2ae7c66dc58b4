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
        var keptIndices = new List<int>(plan.KeptCount);
        var filter = plan.Filter();
        for (var i = 0; i < n; i++)
        {
            kept[i] = filter.Keep(externalMargins[i], implicitMargins.IsEmpty ? double.NaN : implicitMargins[i]);
            if (kept[i])
            {
                keptIndices.Add(i);
            }
        }

        var order = keptIndices.ToArray();
        if (plan.Routes)
        {
            // Curriculum order (easy → hard): by descending margin, ties in input order.
            var keptMargins = new double[order.Length];
            for (var k = 0; k < order.Length; k++)
            {
                keptMargins[k] = externalMargins[order[k]];
            }

            order = [.. SmallMarginRouting.CurriculumOrder(keptMargins).Select(k => keptIndices[k])];
        }

        var pairs = new PairSelection[n];
        for (var i = 0; i < n; i++)
        {
            pairs[i] = plan.Decide(externalMargins[i], implicitMargins.IsEmpty ? double.NaN : implicitMargins[i], kept[i]);
        }

        return new DatasetSelectionResult(pairs, order, plan.ExternalCap, plan.ImplicitCap, plan.RouteThreshold, plan.KeptCount, plan.SftCount, plan.DroppedTies);
    }

    /// <summary><see cref="Plan(IPairMargins, DatasetSelectionOptions)"/> over margins in memory.</summary>
    /// <param name="externalMargins">r(y_w) − r(y_l) for every pair.</param>
    /// <param name="implicitMargins">The implicit margin for every pair, or empty when the dataset has none.</param>
    public static DatasetSelectionPlan Plan(ReadOnlySpan<double> externalMargins, ReadOnlySpan<double> implicitMargins, DatasetSelectionOptions options) =>
        Plan(new ArrayPairMargins(externalMargins.ToArray(), implicitMargins.ToArray()), options);

    /// <summary>
    /// Decides dataset-level selection from the margins, in passes over them: caps from the dataset's quantiles, the
    /// top K by aggregated probability as a rule (ties to the lower index; zero-margin pairs left out when not routing),
    /// then the routing threshold over the kept pairs' non-zero margins. Memory: a histogram, whatever the number of
    /// pairs; the output order (input order, or the curriculum's when routing) is the caller's to produce.
    /// </summary>
    public static DatasetSelectionPlan Plan(IPairMargins margins, DatasetSelectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(margins);
        ArgumentNullException.ThrowIfNull(options);
        var n = margins.Count;
        if (n == 0)
        {
            return new DatasetSelectionPlan(double.NaN, null, double.NaN, TopKRule.None, 0, 0, 0, options.Aggregation) { Routes = options.RouteSmallMargins };
        }

        var externalCap = options.ExternalCap ?? MarginProbability.CapFromQuantile(() => margins.Pass().Select(m => m.External), n, options.CapQuantile);
        double? implicitCap = !margins.HasImplicit ? null : options.ImplicitCap ?? MarginProbability.CapFromQuantile(() => margins.Pass().Select(m => m.Implicit), n, options.CapQuantile);
        var ties = margins.Pass().LongCount(m => m.External == 0);

        // Without routing a tie can only be dropped: rank the others alone.
        var dropTies = !options.RouteSmallMargins && ties > 0;
        var eligible = dropTies ? n - ties : n;
        var keep = eligible == 0 ? 0 : options.Keep.Resolve((int)eligible);
        var plan = new DatasetSelectionPlan(externalCap, implicitCap, double.NegativeInfinity, null, (int)n, keep, 0, options.Aggregation)
        {
            DroppedTies = dropTies ? (int)ties : 0,
        };
        if (keep < n)
        {
            plan = plan with { TopK = keep == 0 ? TopKRule.None : TopKOf(margins, plan, keep) };
        }

        if (!options.RouteSmallMargins)
        {
            return plan;
        }

        IEnumerable<double> KeptMargins()
        {
            var filter = plan.Filter();
            foreach (var m in margins.Pass())
            {
                if (filter.Keep(m))
                {
                    yield return m.External;
                }
            }
        }

        var nonTies = KeptMargins().LongCount(m => m != 0);
        var threshold = SmallMarginRouting.Threshold(() => KeptMargins().Where(m => m != 0), nonTies, options.RouteQuantile);
        var sft = KeptMargins().Count(m => m == 0 || SmallMarginRouting.Route(m, threshold) == PairRoute.Sft);
        return plan with { RouteThreshold = threshold, Routes = true, SftCount = sft };
    }

    /// <summary>The rank of the K-th best pair, and how many pairs at exactly that rank the top K takes (the first ones).</summary>
    private static TopKRule TopKOf(IPairMargins margins, DatasetSelectionPlan plan, int keep)
    {
        IEnumerable<double> Ranks() => margins.Pass().Select(m => plan.Rank(m.External, m.Implicit));
        var threshold = Statistics.Quantile.Smallest(Ranks, margins.Count - keep);
        var above = Ranks().LongCount(r => r > threshold);
        return new TopKRule(threshold, keep - above);
    }
}
