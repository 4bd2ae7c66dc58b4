namespace PrefSuite.Science.Statistics;

/// <summary>Kendall's rank correlation τ-b between two score vectors (ties handled), in O(n²).</summary>
public static class KendallTau
{
    /// <summary>τ-b in [−1, 1]; 1 when both vectors rank the items identically. NaN when either vector is constant.</summary>
    public static double TauB(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"The vectors have different lengths ({x.Length} and {y.Length}).", nameof(y));
        }

        long concordant = 0, discordant = 0, tiesX = 0, tiesY = 0;
        for (var i = 0; i < x.Length; i++)
        {
            for (var j = i + 1; j < x.Length; j++)
            {
                var dx = Math.Sign(x[i] - x[j]);
                var dy = Math.Sign(y[i] - y[j]);
                if (dx == 0 && dy == 0)
                {
                    continue;
                }

                if (dx == 0)
                {
                    tiesX++;
                }
                else if (dy == 0)
                {
                    tiesY++;
                }
                else if (dx == dy)
                {
                    concordant++;
                }
                else
                {
                    discordant++;
                }
            }
        }

        var denominator = Math.Sqrt((double)(concordant + discordant + tiesX) * (concordant + discordant + tiesY));
        return denominator == 0 ? double.NaN : (concordant - discordant) / denominator;
    }
}
