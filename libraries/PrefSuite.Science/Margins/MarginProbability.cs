namespace PrefSuite.Science.Margins;

/// <summary>
/// Turns a reward margin into a probability (Deng et al., SCIENCE.md §3): clip to [−2, cap], add 2, divide by cap + 2.
/// </summary>
public static class MarginProbability
{
    /// <summary>The lower clip of every margin.</summary>
    public const double Floor = -2.0;

    /// <summary>The default cap: this quantile of the margin over the dataset.</summary>
    public const double DefaultCapQuantile = 0.95;

    public static double ToProbability(double margin, double cap)
    {
        CheckCap(cap);
        if (double.IsNaN(margin))
        {
            throw new ArgumentException("The margin is NaN.", nameof(margin));
        }

        return (Math.Clamp(margin, Floor, cap) - Floor) / (cap - Floor);
    }

    /// <summary>Converts every margin with one dataset-wide cap.</summary>
    public static double[] ToProbabilities(ReadOnlySpan<double> margins, double cap)
    {
        CheckCap(cap);
        var result = new double[margins.Length];
        for (var i = 0; i < margins.Length; i++)
        {
            result[i] = ToProbability(margins[i], cap);
        }

        return result;
    }

    /// <summary>The default cap for a dataset: a high quantile of its margins, which must exceed the floor of −2.</summary>
    public static double CapFromQuantile(ReadOnlySpan<double> margins, double quantile = DefaultCapQuantile) =>
        CheckedCap(Statistics.Quantile.Of(margins, quantile), quantile, nameof(margins));

    /// <summary>The same cap over margins too many to hold: <paramref name="pass"/> yields all <paramref name="count"/> of them on each call.</summary>
    public static double CapFromQuantile(Func<IEnumerable<double>> pass, long count, double quantile = DefaultCapQuantile) =>
        CheckedCap(Statistics.Quantile.Of(pass, count, quantile), quantile, nameof(pass));

    private static double CheckedCap(double cap, double quantile, string parameter) =>
        cap > Floor
            ? cap
            : throw new ArgumentException($"The {quantile:0.##} quantile of the margins is {cap}, not above the floor of −2; give an explicit cap.", parameter);

    private static void CheckCap(double cap)
    {
        if (!double.IsFinite(cap) || cap <= Floor)
        {
            throw new ArgumentOutOfRangeException(nameof(cap), cap, "The cap must be a finite number above −2.");
        }
    }
}
