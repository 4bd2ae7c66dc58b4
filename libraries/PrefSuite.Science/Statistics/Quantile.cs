namespace PrefSuite.Science.Statistics;

/// <summary>Empirical quantiles with linear interpolation between order statistics (NumPy's default, Hyndman–Fan type 7).</summary>
public static class Quantile
{
    [ThreadStatic]
    private static long[]? t_counts;

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

        var position = q * (values.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, values.Length - 1);
        var fraction = position - lower;
        var low = Smallest(values, lower);
        return fraction == 0 ? low : low + (fraction * (Smallest(values, upper) - low));
    }

    /// <summary>
    /// The k-th smallest value (from 0), found by radix selection on the values' order-preserving bit patterns: a few
    /// passes over the values with one 64K-entry histogram, no copy and no sort, so a quantile of a million margins
    /// costs a few passes instead of an 8 MB copy.
    /// </summary>
    public static double Smallest(ReadOnlySpan<double> values, int k)
    {
        if ((uint)k >= (uint)values.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"There are {values.Length} values.");
        }

        var counts = new int[1 << 16];
        ulong prefix = 0;
        for (var shift = 48; shift >= 0; shift -= 16)
        {
            Array.Clear(counts);
            var mask = shift == 48 ? 0UL : ulong.MaxValue << (shift + 16);
            foreach (var value in values)
            {
                var key = Key(value);
                if ((key & mask) == prefix)
                {
                    counts[(int)((key >> shift) & 0xFFFF)]++;
                }
            }

            var bucket = 0;
            while (k >= counts[bucket])
            {
                k -= counts[bucket++];
            }

            prefix |= (ulong)bucket << shift;
        }

        return FromKey(prefix);
    }

    /// <summary>
    /// <see cref="Of(ReadOnlySpan{double}, double)"/> over values too many to hold: <paramref name="pass"/> yields all
    /// <paramref name="count"/> values in the same order each time it is called, and each radix step is one pass.
    /// Memory: one histogram, whatever the count.
    /// </summary>
    public static double Of(Func<IEnumerable<double>> pass, long count, double q)
    {
        ArgumentNullException.ThrowIfNull(pass);
        if (count <= 0)
        {
            throw new ArgumentException("A quantile of no values is undefined.", nameof(count));
        }

        if (!(q >= 0 && q <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "The quantile must lie in [0, 1].");
        }

        var position = q * (count - 1);
        var lower = (long)Math.Floor(position);
        var upper = Math.Min(lower + 1, count - 1);
        var fraction = position - lower;
        var low = Smallest(pass, lower);
        return fraction == 0 ? low : low + (fraction * (Smallest(pass, upper) - low));
    }

    /// <summary>The k-th smallest (from 0) of the values <paramref name="pass"/> yields, by the same radix selection as the span version, one pass per 16 bits.</summary>
    public static double Smallest(Func<IEnumerable<double>> pass, long k)
    {
        ArgumentNullException.ThrowIfNull(pass);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        // The histogram (512 KB) is kept per thread for the next call: a selection asks for several quantiles, and a new
        // one each would be large-object-heap garbage until a full collection. Taken while in use, so a pass that asks
        // for a quantile itself gets a histogram of its own.
        var counts = t_counts ?? new long[1 << 16];
        t_counts = null;
        try
        {
            return Smallest(pass, k, counts);
        }
        finally
        {
            t_counts = counts;
        }
    }

    private static double Smallest(Func<IEnumerable<double>> pass, long k, long[] counts)
    {
        ulong prefix = 0;
        for (var shift = 48; shift >= 0; shift -= 16)
        {
            Array.Clear(counts);
            var mask = shift == 48 ? 0UL : ulong.MaxValue << (shift + 16);
            foreach (var value in pass())
            {
                var key = Key(value);
                if ((key & mask) == prefix)
                {
                    counts[(int)((key >> shift) & 0xFFFF)]++;
                }
            }

            var bucket = 0;
            while (bucket < counts.Length && k >= counts[bucket])
            {
                k -= counts[bucket++];
            }

            if (bucket == counts.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(k), "There are fewer values than k + 1.");
            }

            prefix |= (ulong)bucket << shift;
        }

        return FromKey(prefix);
    }

    private static ulong Key(double value) => OrderedKey.Of(value);

    private static double FromKey(ulong key) => OrderedKey.ToDouble(key);
}
