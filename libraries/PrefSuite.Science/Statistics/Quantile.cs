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

    /// <summary>Maps a double to an unsigned key with the same order (negative values flipped, the sign bit set for the others).</summary>
    private static ulong Key(double value)
    {
        var bits = (ulong)BitConverter.DoubleToInt64Bits(value == 0 ? 0.0 : value); // −0 sorts with +0
        return (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
    }

    private static double FromKey(ulong key) =>
        BitConverter.Int64BitsToDouble((long)((key & 0x8000_0000_0000_0000UL) != 0 ? key & 0x7FFF_FFFF_FFFF_FFFFUL : ~key));
}
