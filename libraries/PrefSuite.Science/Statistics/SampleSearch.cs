namespace PrefSuite.Science.Statistics;

/// <summary>Finds samples by reward. Every search breaks ties towards the lowest index, so results are deterministic.</summary>
public static class SampleSearch
{
    /// <summary>The index of the highest reward among the allowed samples, or −1 when none is allowed.</summary>
    public static int ArgMax(ReadOnlySpan<double> rewards, ReadOnlySpan<bool> excluded = default)
    {
        var best = -1;
        for (var i = 0; i < rewards.Length; i++)
        {
            if (IsExcluded(excluded, i))
            {
                continue;
            }

            if (best < 0 || rewards[i] > rewards[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>The index of the lowest reward among the allowed samples at most <paramref name="ceiling"/>, or −1.</summary>
    public static int ArgMin(ReadOnlySpan<double> rewards, ReadOnlySpan<bool> excluded = default, double ceiling = double.PositiveInfinity)
    {
        var best = -1;
        for (var i = 0; i < rewards.Length; i++)
        {
            if (IsExcluded(excluded, i) || rewards[i] > ceiling)
            {
                continue;
            }

            if (best < 0 || rewards[i] < rewards[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>
    /// The index of the sample whose reward is nearest <paramref name="target"/> among the allowed samples whose
    /// reward is at most <paramref name="ceiling"/>, or −1 when none qualifies.
    /// </summary>
    public static int Nearest(ReadOnlySpan<double> rewards, double target, ReadOnlySpan<bool> excluded = default, double ceiling = double.PositiveInfinity)
    {
        var best = -1;
        var bestDistance = double.PositiveInfinity;
        for (var i = 0; i < rewards.Length; i++)
        {
            if (IsExcluded(excluded, i) || rewards[i] > ceiling)
            {
                continue;
            }

            var distance = Math.Abs(rewards[i] - target);
            if (distance < bestDistance)
            {
                best = i;
                bestDistance = distance;
            }
        }

        return best;
    }

    private static bool IsExcluded(ReadOnlySpan<bool> excluded, int i) => !excluded.IsEmpty && excluded[i];
}
