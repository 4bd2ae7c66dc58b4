using System.Globalization;

namespace PrefSuite.Science.Margins;

/// <summary>How many pairs to keep: a fraction of the dataset (default 10%) or a fixed count.</summary>
public readonly record struct KeepRule
{
    private KeepRule(double? fraction, int? count)
    {
        Fraction = fraction;
        Count = count;
    }

    public double? Fraction { get; }

    public int? Count { get; }

    public static KeepRule Default { get; } = OfFraction(0.1);

    public static KeepRule All { get; } = OfFraction(1.0);

    public static KeepRule OfFraction(double fraction) => fraction is > 0 and <= 1
        ? new KeepRule(fraction, null)
        : throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The kept fraction must lie in (0, 1].");

    public static KeepRule OfCount(int count) => count >= 1
        ? new KeepRule(null, count)
        : throw new ArgumentOutOfRangeException(nameof(count), count, "The kept count must be at least 1.");

    /// <summary>How many of <paramref name="total"/> pairs to keep: ⌈fraction·total⌉, or the count, at most the total.</summary>
    public int Resolve(int total) => Count is { } c
        ? Math.Min(c, total)
        : Math.Min(total, (int)Math.Ceiling((Fraction ?? 1.0) * total - 1e-9));

    /// <summary>Parses "0.1" or "10%" as a fraction and a whole number above 1 such as "500" as a count.</summary>
    public static KeepRule Parse(string text)
    {
        var t = text.Trim();
        if (t.EndsWith('%') && double.TryParse(t[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
        {
            return OfFraction(percent / 100);
        }

        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"'{text}' is not a fraction (0.1, 10%) or a count (500).");
        }

        return value <= 1 ? OfFraction(value) : value == Math.Floor(value) && value <= int.MaxValue
            ? OfCount((int)value)
            : throw new FormatException($"'{text}' is neither a fraction in (0, 1] nor a whole count.");
    }

    public override string ToString() => Count is { } c ? c.ToString(CultureInfo.InvariantCulture) : (Fraction ?? 1).ToString("R", CultureInfo.InvariantCulture);
}
