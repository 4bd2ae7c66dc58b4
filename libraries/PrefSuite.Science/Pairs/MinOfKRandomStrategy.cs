using PrefSuite.Science.Randomness;
using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Pairs;

/// <summary>
/// The scalable rule of Xiao et al. (SCIENCE.md §2): chosen = max, rejected = the minimum of k samples drawn at random
/// (without replacement, seeded per prompt) from the others. The expected minimum of 5 normal draws is about μ−1.16σ.
/// </summary>
public sealed class MinOfKRandomStrategy : IPairStrategy
{
    public MinOfKRandomStrategy(int k = 5, int pairsPerPrompt = 1, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pairsPerPrompt, 1);
        K = k;
        PairsPerPrompt = pairsPerPrompt;
        Seed = seed;
    }

    public string Name => StrategyNames.MaxMinOfKRandom;

    public int K { get; }

    public int PairsPerPrompt { get; }

    public ulong Seed { get; }

    /// <summary>The rejected side is a sample minimum, not a fixed position, and is described as such.</summary>
    public string Describe(RewardPosition? position) => position?.Name ?? $"min-of-{K}-random";

    public int PickPairs(ReadOnlySpan<double> rewards, ulong promptKey, Span<PairPick> destination)
    {
        PairGuards.CheckRewards(rewards);
        var stats = RewardStatistics.Compute(rewards);
        if (stats.IsFlat || destination.IsEmpty)
        {
            return 0;
        }

        var fallback = rewards.Length < 3 ? PairFallback.FewerThanThreeResponses : PairFallback.None;
        var rng = SplitMix64.ForKey(Seed, promptKey);
        var n = rewards.Length;
        Span<bool> used = n <= 512 ? stackalloc bool[n] : new bool[n];
        Span<int> pool = n <= 512 ? stackalloc int[n] : new int[n];
        var wanted = Math.Min(PairsPerPrompt, destination.Length);
        var count = 0;
        while (count < wanted)
        {
            var chosen = SampleSearch.ArgMax(rewards, used);
            if (chosen < 0)
            {
                break;
            }

            // The candidates for rejected: unused samples other than the chosen, no better than it.
            var poolSize = 0;
            for (var i = 0; i < n; i++)
            {
                if (!used[i] && i != chosen && rewards[i] <= rewards[chosen])
                {
                    pool[poolSize++] = i;
                }
            }

            if (poolSize == 0)
            {
                break;
            }

            // Partial Fisher–Yates: the first min(k, pool) slots become a uniform random draw without replacement.
            var draws = Math.Min(K, poolSize);
            var rejected = -1;
            for (var d = 0; d < draws; d++)
            {
                var pick = d + rng.NextInt(poolSize - d);
                (pool[d], pool[pick]) = (pool[pick], pool[d]);
                var candidate = pool[d];
                if (rejected < 0 || rewards[candidate] < rewards[rejected] || (rewards[candidate] == rewards[rejected] && candidate < rejected))
                {
                    rejected = candidate;
                }
            }

            used[chosen] = true;
            used[rejected] = true;
            destination[count++] = new PairPick(chosen, rejected, RewardPosition.Max, null, fallback);
        }

        return count;
    }
}
