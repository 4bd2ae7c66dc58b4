using PrefSuite.Science.Randomness;
using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Pairs;

/// <summary>
/// The baseline: two distinct samples drawn at random (seeded per prompt), the higher reward labelled chosen.
/// Pairs with equal rewards carry no label and are redrawn; no unordered pair is used twice for one prompt.
/// </summary>
public sealed class RandomPairStrategy : IPairStrategy
{
    private const int AttemptsPerPair = 64;

    public RandomPairStrategy(int pairsPerPrompt = 1, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pairsPerPrompt, 1);
        PairsPerPrompt = pairsPerPrompt;
        Seed = seed;
    }

    public string Name => StrategyNames.Random;

    public int PairsPerPrompt { get; }

    public ulong Seed { get; }

    public int PickPairs(ReadOnlySpan<double> rewards, ulong promptKey, Span<PairPick> destination)
    {
        PairGuards.CheckRewards(rewards);
        var stats = RewardStatistics.Compute(rewards);
        if (stats.IsFlat || destination.IsEmpty)
        {
            return 0;
        }

        var n = rewards.Length;
        var rng = SplitMix64.ForKey(Seed, promptKey);
        var fallback = n < 3 ? PairFallback.FewerThanThreeResponses : PairFallback.None;
        var wanted = Math.Min(PairsPerPrompt, destination.Length);
        var count = 0;
        for (var attempt = 0; count < wanted && attempt < wanted * AttemptsPerPair; attempt++)
        {
            var a = rng.NextInt(n);
            var b = rng.NextInt(n - 1);
            if (b >= a)
            {
                b++;
            }

            if (rewards[a] == rewards[b])
            {
                continue;
            }

            var (chosen, rejected) = rewards[a] > rewards[b] ? (a, b) : (b, a);
            if (AlreadyPicked(destination[..count], chosen, rejected))
            {
                continue;
            }

            destination[count++] = new PairPick(chosen, rejected, null, null, fallback);
        }

        return count;
    }

    private static bool AlreadyPicked(ReadOnlySpan<PairPick> picks, int chosen, int rejected)
    {
        foreach (var p in picks)
        {
            if (p.ChosenIndex == chosen && p.RejectedIndex == rejected)
            {
                return true;
            }
        }

        return false;
    }
}
