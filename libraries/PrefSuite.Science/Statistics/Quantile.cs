namespace PrefSuite.Science.Statistics;

/// <summary>Empirical quantiles with linear interpolation between order statistics (NumPy's default, Hyndman–Fan type 7).</summary>
public static class Quantile
{
    public static double Of(ReadOnlySpan<double> values, double q)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("A quantile of no values is undefined.", nameof(values));
        }

        if (!(q >= 0 && q <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "The quantile must lie in [0, 1].");
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        var fraction = position - lower;
        return sorted[lower] + (fraction * (sorted[upper] - sorted[lower]));
    }
}
