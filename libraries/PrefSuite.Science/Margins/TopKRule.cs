namespace PrefSuite.Science.Margins;

/// <summary>
/// The top K of a dataset as a rule one pass in input order can apply: every pair ranked above
/// <see cref="Threshold"/>, and the first <see cref="TiesAtThreshold"/> pairs ranked exactly at it (ties go to the lower
/// index). A pair's rank is its aggregated probability, or −∞ for a zero-margin pair that is dropped.
/// </summary>
public sealed record TopKRule(double Threshold, long TiesAtThreshold)
{
    /// <summary>The rule that keeps nothing.</summary>
    public static TopKRule None { get; } = new(double.PositiveInfinity, 0);
}

/// <summary>Applies a plan's top K to the pairs of one pass, given in input order (a fresh filter per pass).</summary>
public sealed class KeptFilter
{
    private readonly DatasetSelectionPlan _plan;
    private long _tiesLeft;

    internal KeptFilter(DatasetSelectionPlan plan)
    {
        _plan = plan;
        _tiesLeft = plan.TopK?.TiesAtThreshold ?? 0;
    }

    /// <summary>Whether the next pair in input order is kept.</summary>
    public bool Keep(double externalMargin, double implicitMargin)
    {
        if (_plan.TopK is not { } rule)
        {
            return true;
        }

        var rank = _plan.Rank(externalMargin, implicitMargin);
        return rank > rule.Threshold || (rank == rule.Threshold && _tiesLeft-- > 0);
    }

    public bool Keep(PairMargins margins) => Keep(margins.External, margins.Implicit);
}
