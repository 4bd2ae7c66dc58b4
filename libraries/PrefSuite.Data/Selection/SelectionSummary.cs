namespace PrefSuite.Data.Selection;

/// <summary>What selection did to a dataset: the funnel from prompts to kept pairs, and the constants it used.</summary>
public sealed record SelectionSummary
{
    public int Prompts { get; init; }

    /// <summary>Prompts whose responses all scored the same: no pair.</summary>
    public int FlatPrompts { get; init; }

    /// <summary>Pairs built by the max/min fallback because their prompt had fewer than three responses.</summary>
    public int Fallbacks { get; init; }

    public int CandidatePairs { get; init; }

    public int Kept { get; init; }

    public int RoutedToSft { get; init; }

    public bool UsedImplicitMargins { get; init; }

    public double ExternalCap { get; init; }

    public double? ImplicitCap { get; init; }

    /// <summary>The margin below which kept pairs went to SFT; −∞ when routing is off.</summary>
    public double RouteThreshold { get; init; }

    /// <summary>Mean reward of the kept chosen responses: the quality that matters most (SCIENCE.md §7).</summary>
    public double MeanChosenReward { get; init; }

    public double MeanRejectedReward { get; init; }
}
