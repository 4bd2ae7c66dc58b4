using PrefSuite.Science.Routing;

namespace PrefSuite.Science.Margins;

/// <summary>
/// Dataset-level selection decided from the margins alone (SCIENCE.md §3 and §6): the caps, the rule for the top K and
/// the routing threshold. Each pair's probabilities and route follow from <see cref="Decide"/>, and whether it is kept
/// from a <see cref="Filter"/> pass in input order, so a caller that streams a dataset holds nothing per pair.
/// </summary>
/// <param name="TopK">Which pairs are kept; null when every pair is.</param>
public sealed record DatasetSelectionPlan(
    double ExternalCap,
    double? ImplicitCap,
    double RouteThreshold,
    TopKRule? TopK,
    int Count,
    int KeptCount,
    int SftCount,
    AggregationMethod Aggregation)
{
    /// <summary>Zero-margin pairs left out of the top K because routing is off.</summary>
    public int DroppedTies { get; init; }

    /// <summary>Whether small margins are routed to SFT (a kept tie then goes to SFT too).</summary>
    public bool Routes { get; init; }

    /// <summary>Whether every pair is kept.</summary>
    public bool KeepsAll => TopK is null;

    /// <summary>A filter for one pass over the pairs in input order: which of them are kept.</summary>
    public KeptFilter Filter() => new(this);

    /// <summary>A pair's rank for the top K: its aggregated probability, or −∞ for a zero-margin pair that is dropped.</summary>
    public double Rank(double externalMargin, double implicitMargin) =>
        DroppedTies > 0 && externalMargin == 0 ? double.NegativeInfinity : Decide(externalMargin, implicitMargin).Probability;

    /// <summary>
    /// The probabilities and route of one pair from its margins (the implicit one NaN when the dataset has none). A kept
    /// zero-margin pair (a tie: no preference) is never a DPO pair: with routing it goes to SFT.
    /// </summary>
    public PairSelection Decide(double externalMargin, double implicitMargin, bool kept = true)
    {
        var external = MarginProbability.ToProbability(externalMargin, ExternalCap);
        double? implicitP = ImplicitCap is { } cap ? MarginProbability.ToProbability(implicitMargin, cap) : null;
        var combined = implicitP is { } p ? MarginAggregation.Combine(Aggregation, external, p) : external;
        var tie = externalMargin == 0;
        var route = !kept ? PairRoute.Dpo : tie && Routes ? PairRoute.Sft : SmallMarginRouting.Route(externalMargin, RouteThreshold);
        return new PairSelection(external, implicitP, combined, kept, route, tie);
    }
}
