using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Pairs;

/// <summary>Why a pair departs from its strategy's rule.</summary>
public enum PairFallback
{
    None,

    /// <summary>Fewer than three responses: μ and σ mean little, so the pair is max/min (SCIENCE.md §2).</summary>
    FewerThanThreeResponses,
}

/// <summary>
/// One preference pair picked from a prompt's responses: indices into its reward vector and the distribution positions
/// used; a side picked at random rather than at a position has no position.
/// </summary>
public readonly record struct PairPick(
    int ChosenIndex,
    int RejectedIndex,
    RewardPosition? ChosenPosition,
    RewardPosition? RejectedPosition,
    PairFallback Fallback = PairFallback.None);
