using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Pairs;

/// <summary>A rule that turns one prompt's rewards into preference pairs.</summary>
public interface IPairStrategy
{
    /// <summary>The stable name used by the CLI, files and protos.</summary>
    string Name { get; }

    /// <summary>
    /// Writes up to <c>destination.Length</c> pairs for one prompt and returns how many were written; zero when the
    /// rewards are all equal. <paramref name="promptKey"/> seeds any randomness, so a prompt always gets the same pairs.
    /// Rewards must be finite and there must be at least two.
    /// </summary>
    int PickPairs(ReadOnlySpan<double> rewards, ulong promptKey, Span<PairPick> destination);

    /// <summary>How a side of a pair is described in output rows: the position name, or how the sample was drawn.</summary>
    string Describe(RewardPosition? position) => position?.Name ?? "random";
}
