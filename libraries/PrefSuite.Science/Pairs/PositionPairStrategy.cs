using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Pairs;

/// <summary>
/// Chosen at one reward position, rejected at a lower one (SCIENCE.md §2): sweet-spot (max, μ−2σ) by default, max-min,
/// or any pair of positions. The sample at μ + kσ is the one whose reward is nearest μ + kσ, ties to the lowest index.
/// </summary>
/// <remarks>
/// The rejected is searched among the other samples whose reward does not exceed the chosen's: when the nearest sample
/// is the chosen itself, the next nearest is taken, and a sample above the chosen is never labelled rejected. With
/// several pairs per prompt, pair p takes the p-th best candidate for each side among samples not used yet.
/// </remarks>
public sealed class PositionPairStrategy : IPairStrategy
{
    public PositionPairStrategy(string name, RewardPosition chosen, RewardPosition rejected, int pairsPerPrompt = 1, SigmaKind sigma = SigmaKind.Population)
    {
        if (chosen.CompareRank(rejected) <= 0)
        {
            throw new ArgumentException($"The chosen position ({chosen}) must lie above the rejected position ({rejected}).", nameof(chosen));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(pairsPerPrompt, 1);
        Name = name;
        Chosen = chosen;
        Rejected = rejected;
        PairsPerPrompt = pairsPerPrompt;
        Sigma = sigma;
    }

    public string Name { get; }

    public RewardPosition Chosen { get; }

    public RewardPosition Rejected { get; }

    public int PairsPerPrompt { get; }

    public SigmaKind Sigma { get; }

    public int PickPairs(ReadOnlySpan<double> rewards, ulong promptKey, Span<PairPick> destination)
    {
        PairGuards.CheckRewards(rewards);
        var stats = RewardStatistics.Compute(rewards, rewards.Length < 2 ? SigmaKind.Population : Sigma);
        if (stats.IsFlat || destination.IsEmpty)
        {
            return 0;
        }

        var wanted = Math.Min(PairsPerPrompt, destination.Length);
        if (rewards.Length < 3)
        {
            return MaxMinFallback(rewards, destination);
        }

        if (wanted == 1)
        {
            var chosen = Locate(rewards, stats, Chosen, excluded: default, ceiling: double.PositiveInfinity);
            var rejected = PickRejected(rewards, stats, chosen, excluded: default);
            if (rejected < 0)
            {
                return 0;
            }

            destination[0] = new PairPick(chosen, rejected, Chosen, Rejected);
            return 1;
        }

        Span<bool> used = rewards.Length <= 512 ? stackalloc bool[rewards.Length] : new bool[rewards.Length];
        var count = 0;
        while (count < wanted)
        {
            var chosen = Locate(rewards, stats, Chosen, used, double.PositiveInfinity);
            if (chosen < 0)
            {
                break;
            }

            var rejected = PickRejected(rewards, stats, chosen, used);
            if (rejected < 0)
            {
                break;
            }

            used[chosen] = true;
            used[rejected] = true;
            destination[count++] = new PairPick(chosen, rejected, Chosen, Rejected);
        }

        return count;
    }

    private int PickRejected(ReadOnlySpan<double> rewards, RewardStatistics stats, int chosen, ReadOnlySpan<bool> excluded)
    {
        // Exclude the chosen sample without copying the caller's mask: search with the chosen reward as ceiling,
        // then retry without the chosen index if the search landed on it.
        var ceiling = rewards[chosen];
        var first = Locate(rewards, stats, Rejected, excluded, ceiling);
        if (first != chosen)
        {
            return first;
        }

        Span<bool> mask = rewards.Length <= 512 ? stackalloc bool[rewards.Length] : new bool[rewards.Length];
        if (!excluded.IsEmpty)
        {
            excluded.CopyTo(mask);
        }

        mask[chosen] = true;
        return Locate(rewards, stats, Rejected, mask, ceiling);
    }

    private static int Locate(ReadOnlySpan<double> rewards, RewardStatistics stats, RewardPosition position, ReadOnlySpan<bool> excluded, double ceiling) =>
        position.Kind switch
        {
            // A max position is only ever the chosen side (positions are ordered), so it has no ceiling.
            PositionKind.Max => SampleSearch.ArgMax(rewards, excluded),
            PositionKind.Min => SampleSearch.ArgMin(rewards, excluded, ceiling),
            _ => SampleSearch.Nearest(rewards, stats.ValueAt(position), excluded, ceiling),
        };

    private static int MaxMinFallback(ReadOnlySpan<double> rewards, Span<PairPick> destination)
    {
        var chosen = SampleSearch.ArgMax(rewards);
        var rejected = SampleSearch.ArgMin(rewards);
        destination[0] = new PairPick(chosen, rejected, RewardPosition.Max, RewardPosition.Min, PairFallback.FewerThanThreeResponses);
        return 1;
    }
}
