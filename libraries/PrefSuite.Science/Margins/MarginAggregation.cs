namespace PrefSuite.Science.Margins;

/// <summary>Combines two preference probabilities for the same pair into one.</summary>
public static class MarginAggregation
{
    /// <summary>
    /// The combined probability. Bayes with complete conflict (one source certain for, the other certain against)
    /// is 0/0; it is defined as 0.5, the uniform prior.
    /// </summary>
    public static double Combine(AggregationMethod method, double p1, double p2)
    {
        CheckProbability(p1, nameof(p1));
        CheckProbability(p2, nameof(p2));
        switch (method)
        {
            case AggregationMethod.Bayes:
                var agree = p1 * p2;
                var disagree = (1 - p1) * (1 - p2);
                var total = agree + disagree;
                return total == 0 ? 0.5 : agree / total;
            case AggregationMethod.Mean:
                return (p1 + p2) / 2;
            case AggregationMethod.Max:
                return Math.Max(p1, p2);
            case AggregationMethod.Min:
                return Math.Min(p1, p2);
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown aggregation method.");
        }
    }

    public static AggregationMethod Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "bayes" => AggregationMethod.Bayes,
        "mean" or "add" => AggregationMethod.Mean,
        "max" => AggregationMethod.Max,
        "min" => AggregationMethod.Min,
        _ => throw new FormatException($"'{name}' is not an aggregation; use bayes, mean, max or min."),
    };

    private static void CheckProbability(double p, string name)
    {
        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(name, p, "A probability must lie in [0, 1].");
        }
    }
}
