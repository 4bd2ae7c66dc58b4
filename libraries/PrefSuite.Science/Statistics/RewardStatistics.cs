namespace PrefSuite.Science.Statistics;

/// <summary>Mean and standard deviation of one prompt's N rewards, treated as a normal distribution.</summary>
public readonly record struct RewardStatistics(double Mean, double StdDev, double Min, double Max)
{
    /// <summary>True when every reward is the same: such a prompt yields no pair.</summary>
    public bool IsFlat => Min == Max;

    /// <summary>The reward value a position stands for: min, max, or μ + kσ.</summary>
    public double ValueAt(RewardPosition position) => position.Kind switch
    {
        PositionKind.Min => Min,
        PositionKind.Max => Max,
        _ => Mean + (position.K * StdDev),
    };

    /// <summary>Computes the statistics with two passes (numerically stable); rewards must be finite and non-empty.</summary>
    public static RewardStatistics Compute(ReadOnlySpan<double> rewards, SigmaKind sigma = SigmaKind.Population)
    {
        if (rewards.IsEmpty)
        {
            throw new ArgumentException("At least one reward is needed.", nameof(rewards));
        }

        if (sigma == SigmaKind.Sample && rewards.Length < 2)
        {
            throw new ArgumentException("The sample standard deviation needs at least two rewards.", nameof(rewards));
        }

        double sum = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (var i = 0; i < rewards.Length; i++)
        {
            var r = rewards[i];
            if (!double.IsFinite(r))
            {
                throw new ArgumentException($"Reward {i} is {r}; rewards must be finite numbers.", nameof(rewards));
            }

            sum += r;
            if (r < min)
            {
                min = r;
            }

            if (r > max)
            {
                max = r;
            }
        }

        var mean = sum / rewards.Length;
        double squares = 0;
        foreach (var r in rewards)
        {
            var d = r - mean;
            squares += d * d;
        }

        var divisor = sigma == SigmaKind.Population ? rewards.Length : rewards.Length - 1;
        return new RewardStatistics(mean, Math.Sqrt(squares / divisor), min, max);
    }
}
