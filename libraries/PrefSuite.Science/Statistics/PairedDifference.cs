namespace PrefSuite.Science.Statistics;

/// <summary>A mean with a two-sided confidence interval over <see cref="Count"/> values (NaN bounds with fewer than two).</summary>
public readonly record struct MeanInterval(double Mean, double Low, double High, double StandardError, int Count)
{
    /// <summary>Whether the interval lies wholly above or wholly below zero.</summary>
    public bool ExcludesZero => Count > 1 && (Low > 0 || High < 0);

    /// <summary>The mean with a Student-t interval: mean ± t_{(1+level)/2, n−1} · s/√n (s the sample standard deviation).</summary>
    public static MeanInterval Of(ReadOnlySpan<double> values, double level = 0.95)
    {
        if (!(level > 0 && level < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "The confidence level must lie in (0, 1).");
        }

        if (values.IsEmpty)
        {
            return new(double.NaN, double.NaN, double.NaN, double.NaN, 0);
        }

        double sum = 0;
        foreach (var v in values)
        {
            sum += v;
        }

        var mean = sum / values.Length;
        if (values.Length == 1)
        {
            return new(mean, double.NaN, double.NaN, double.NaN, 1);
        }

        double squares = 0;
        foreach (var v in values)
        {
            squares += (v - mean) * (v - mean);
        }

        var standardError = Math.Sqrt(squares / (values.Length - 1) / values.Length);
        var half = StudentT.Quantile((1 + level) / 2, values.Length - 1) * standardError;
        return new(mean, mean - half, mean + half, standardError, values.Length);
    }
}

/// <summary>
/// Paired comparison of two treatments measured on the same units (here: the repeats of a comparison, each with its own
/// samples, starting policy and evaluation seed shared by every variant): the mean of the per-unit differences with its
/// Student-t interval. Pairing removes the variance the units share, which an unpaired comparison of two means keeps.
/// </summary>
public static class PairedDifference
{
    /// <summary>The interval of mean(treatment[i] − baseline[i]); pairs where either value is not finite are left out.</summary>
    public static MeanInterval Of(ReadOnlySpan<double> treatment, ReadOnlySpan<double> baseline, double level = 0.95)
    {
        if (treatment.Length != baseline.Length)
        {
            throw new ArgumentException($"{treatment.Length} treatment values but {baseline.Length} baseline values: a paired difference needs one of each per unit.", nameof(baseline));
        }

        var differences = new List<double>(treatment.Length);
        for (var i = 0; i < treatment.Length; i++)
        {
            if (double.IsFinite(treatment[i]) && double.IsFinite(baseline[i]))
            {
                differences.Add(treatment[i] - baseline[i]);
            }
        }

        return MeanInterval.Of(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(differences), level);
    }
}
