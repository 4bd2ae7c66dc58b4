using PrefSuite.Science.Routing;

namespace PrefSuite.Science.Margins;

/// <summary>
/// Dataset-level selection decided from the margins alone (SCIENCE.md §3 and §6): the caps, the kept pairs in output
/// order and the routing threshold. Each pair's probabilities and route follow from <see cref="Decide"/>, so a caller
/// that streams a dataset holds a few numbers per pair, never a record per pair.
/// </summary>
/// <param name="Order">The kept pairs' indices in output order; null when every pair is kept in input order.</param>
public sealed record DatasetSelectionPlan(
    double ExternalCap,
    double? ImplicitCap,
    double RouteThreshold,
    int[]? Order,
    int Count,
    int KeptCount,
    int SftCount,
    AggregationMethod Aggregation)
{
    /// <summary>Zero-margin pairs left out of the top K because routing is off.</summary>
    public int DroppedTies { get; init; }

    /// <summary>Whether small margins are routed to SFT (a kept tie then goes to SFT too).</summary>
    public bool Routes { get; init; }

    /// <summary>Whether every pair is kept, in input order.</summary>
    public bool KeepsAll => Order is null;

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
