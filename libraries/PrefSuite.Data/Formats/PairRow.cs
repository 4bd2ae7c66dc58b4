using PrefSuite.Science.Augmentation;

namespace PrefSuite.Data.Formats;

/// <summary>
/// A TRL-compatible preference row: prompt, chosen, rejected, score_chosen, score_rejected, plus how it was built.
/// A conversational prompt makes chosen and rejected assistant-message lists on output. Every column is written in
/// every row (null when absent), so JSONL and Parquet files of pairs share one schema (<see cref="PairColumns"/>).
/// </summary>
public sealed record PairRow
{
    public string? PromptId { get; init; }

    public required PromptText Prompt { get; init; }

    public required string Chosen { get; init; }

    public required string Rejected { get; init; }

    /// <summary>The chosen response's score; NaN when the row came without one.</summary>
    public required double ScoreChosen { get; init; }

    public required double ScoreRejected { get; init; }

    /// <summary>
    /// score_chosen − score_rejected, the external margin, written as "score_margin": a column named "margin" is one
    /// TRL's RewardTrainer subtracts inside its loss, which a score gap must not silently become.
    /// </summary>
    public double? Margin { get; init; }

    /// <summary>"dpo" or "sft".</summary>
    public string? Route { get; init; }

    public string? Strategy { get; init; }

    public string? ChosenPosition { get; init; }

    public string? RejectedPosition { get; init; }

    public int? ChosenIndex { get; init; }

    public int? RejectedIndex { get; init; }

    /// <summary>Why the pair departs from its strategy ("fewer-than-3-responses": max/min was used), when it does.</summary>
    public string? Fallback { get; init; }

    public double? ImplicitMargin { get; init; }

    public double? ProbabilityExternal { get; init; }

    public double? ProbabilityImplicit { get; init; }

    /// <summary>The aggregated preference probability used to keep the pair.</summary>
    public double? Probability { get; init; }

    /// <summary>The goal score stated in the prompt by reward-conditioned augmentation.</summary>
    public double? Goal { get; init; }

    /// <summary>True for the augmented pair whose chosen and rejected were swapped.</summary>
    public bool? Swapped { get; init; }

    /// <summary>The columns after the texts, as the writers take them.</summary>
    internal PairTail Tail => new(
        ScoreChosen, ScoreRejected, Margin ?? (ScoreChosen - ScoreRejected), Route, Strategy, ChosenPosition, RejectedPosition, ChosenIndex, RejectedIndex,
        Fallback, ImplicitMargin, ProbabilityExternal, ProbabilityImplicit, Probability, Goal, Swapped);
}

/// <summary>The pair columns after prompt, chosen and rejected.</summary>
internal readonly record struct PairTail(
    double ScoreChosen,
    double ScoreRejected,
    double? Margin,
    string? Route,
    string? Strategy,
    string? ChosenPosition,
    string? RejectedPosition,
    int? ChosenIndex,
    int? RejectedIndex,
    string? Fallback,
    double? ImplicitMargin,
    double? ProbabilityExternal,
    double? ProbabilityImplicit,
    double? Probability,
    double? Goal,
    bool? Swapped);
