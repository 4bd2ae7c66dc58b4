namespace PrefSuite.Data.Selection;

/// <summary>What selection did to a dataset: the funnel from prompts to kept pairs, and the constants it used.</summary>
public sealed record SelectionSummary
{
    public int Prompts { get; init; }

    /// <summary>Prompts whose responses all scored the same: no pair (also <see cref="WithoutPair"/>.AllRewardsEqual).</summary>
    public int FlatPrompts { get; init; }

    /// <summary>Every prompt that ends without an output row, by reason; with the prompts that have one they add up to <see cref="Prompts"/>.</summary>
    public PromptsWithoutPair WithoutPair { get; init; } = new();

    /// <summary>Prompts with at least one output row (DPO or SFT).</summary>
    public int PromptsWithPair { get; init; }

    /// <summary>Candidate pairs whose chosen and rejected scored the same (never trained as a preference).</summary>
    public int ZeroMarginPairs { get; init; }

    /// <summary>Zero-margin pairs dropped (routing off); with routing on they are kept as SFT rows instead.</summary>
    public int DroppedZeroMarginPairs { get; init; }

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

/// <summary>Why prompts produced no output row; the reasons do not overlap.</summary>
/// <param name="AllRewardsEqual">Every response scored the same.</param>
/// <param name="NoPairAtPositions">The strategy found no rejected for the chosen (e.g. a sweep cell whose rejected position
/// has no other sample at or below the chosen's reward).</param>
/// <param name="OnlyZeroMargin">Every candidate pair was a tie and ties were dropped (routing off).</param>
/// <param name="NotKept">Every candidate pair fell outside the kept top K.</param>
public sealed record PromptsWithoutPair(int AllRewardsEqual = 0, int NoPairAtPositions = 0, int OnlyZeroMargin = 0, int NotKept = 0)
{
    public int Total => AllRewardsEqual + NoPairAtPositions + OnlyZeroMargin + NotKept;
}
