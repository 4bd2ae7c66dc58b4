using System.Globalization;

namespace PrefSuite.Science.Statistics;

/// <summary>The kinds of reward position of SCIENCE.md §2.</summary>
public enum PositionKind
{
    Min,
    Sigma,
    Max,
}

/// <summary>
/// A position in a prompt's reward distribution: the minimum, the maximum, or μ + kσ for any real k.
/// Names are stable and used by the CLI, files and protos: "min", "max", "mu", "mu-2sigma", "mu+sigma", "mu+1.5sigma".
/// </summary>
public readonly record struct RewardPosition
{
    private RewardPosition(PositionKind kind, double k)
    {
        Kind = kind;
        K = k;
    }

    public PositionKind Kind { get; }

    /// <summary>The multiple of σ for <see cref="PositionKind.Sigma"/> positions; 0 otherwise.</summary>
    public double K { get; }

    public static RewardPosition Min { get; } = new(PositionKind.Min, 0);

    public static RewardPosition Max { get; } = new(PositionKind.Max, 0);

    public static RewardPosition Mean { get; } = new(PositionKind.Sigma, 0);

    /// <summary>The seven positions of the 21-pair sweep, lowest first.</summary>
    public static IReadOnlyList<RewardPosition> Seven { get; } =
        [Min, Sigma(-2), Sigma(-1), Mean, Sigma(1), Sigma(2), Max];

    /// <summary>All 21 (chosen, rejected) pairs of the seven positions, chosen above rejected.</summary>
    public static IReadOnlyList<(RewardPosition Chosen, RewardPosition Rejected)> SweepPairs { get; } =
        [.. from c in Enumerable.Range(0, 7) from r in Enumerable.Range(0, 7) where c > r select (Seven[c], Seven[r])];

    /// <summary>μ + kσ.</summary>
    public static RewardPosition Sigma(double k)
    {
        if (!double.IsFinite(k))
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "k must be a finite number.");
        }

        return new RewardPosition(PositionKind.Sigma, k == 0 ? 0 : k);
    }

    /// <summary>Orders positions from low to high: min below every μ + kσ, max above.</summary>
    public int CompareRank(RewardPosition other) => Rank.CompareTo(other.Rank);

    private double Rank => Kind switch
    {
        PositionKind.Min => double.NegativeInfinity,
        PositionKind.Max => double.PositiveInfinity,
        _ => K,
    };

    public string Name => Kind switch
    {
        PositionKind.Min => "min",
        PositionKind.Max => "max",
        _ when K == 0 => "mu",
        _ when K == 1 => "mu+sigma",
        _ when K == -1 => "mu-sigma",
        _ => string.Create(CultureInfo.InvariantCulture, $"mu{(K > 0 ? "+" : "-")}{Math.Abs(K):R}sigma"),
    };

    public override string ToString() => Name;

    /// <summary>Parses a position name; also accepts the symbols μ, σ and the minus sign −.</summary>
    public static bool TryParse(string? text, out RewardPosition position)
    {
        position = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim().ToLowerInvariant()
            .Replace("μ", "mu", StringComparison.Ordinal)
            .Replace("σ", "sigma", StringComparison.Ordinal)
            .Replace('−', '-')
            .Replace(" ", string.Empty, StringComparison.Ordinal);

        switch (s)
        {
            case "min":
                position = Min;
                return true;
            case "max":
                position = Max;
                return true;
            case "mu" or "mean":
                position = Mean;
                return true;
        }

        if (!s.StartsWith("mu", StringComparison.Ordinal) || !s.EndsWith("sigma", StringComparison.Ordinal) || s.Length < 8)
        {
            return false;
        }

        var middle = s[2..^5];
        var sign = middle[0] switch { '+' => 1.0, '-' => -1.0, _ => double.NaN };
        if (double.IsNaN(sign))
        {
            return false;
        }

        var magnitudeText = middle[1..];
        var magnitude = 1.0;
        if (magnitudeText.Length > 0 &&
            !double.TryParse(magnitudeText, NumberStyles.Float, CultureInfo.InvariantCulture, out magnitude))
        {
            return false;
        }

        if (!double.IsFinite(magnitude) || magnitude < 0)
        {
            return false;
        }

        position = Sigma(sign * magnitude);
        return true;
    }

    /// <summary>Parses a position name or throws a <see cref="FormatException"/> that lists the accepted forms.</summary>
    public static RewardPosition Parse(string text) => TryParse(text, out var position)
        ? position
        : throw new FormatException($"'{text}' is not a reward position; use min, max, mu, or mu±Ksigma such as mu-2sigma or mu+1.5sigma.");
}
