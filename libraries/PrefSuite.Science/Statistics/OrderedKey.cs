namespace PrefSuite.Science.Statistics;

/// <summary>
/// A double as an unsigned key with the same order (negative values flipped, the sign bit set for the others; −0 is
/// +0), so that radix selection and radix bucketing can work on its bits.
/// </summary>
public static class OrderedKey
{
    public static ulong Of(double value)
    {
        var bits = (ulong)BitConverter.DoubleToInt64Bits(value == 0 ? 0.0 : value);
        return (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
    }

    public static double ToDouble(ulong key) =>
        BitConverter.Int64BitsToDouble((long)((key & 0x8000_0000_0000_0000UL) != 0 ? key & 0x7FFF_FFFF_FFFF_FFFFUL : ~key));
}
