namespace PrefSuite.Science.Margins;

/// <summary>One candidate pair's margins: r(y_w) − r(y_l), and the implicit margin (NaN when the dataset has none).</summary>
public readonly record struct PairMargins(double External, double Implicit);

/// <summary>
/// The margins of every candidate pair of a dataset, read in passes: in memory, or from a file when a dataset has more
/// pairs than memory should hold. Dataset-level selection needs only passes, never the whole list at once.
/// </summary>
public interface IPairMargins
{
    /// <summary>The number of pairs each pass yields.</summary>
    long Count { get; }

    /// <summary>Whether the pairs carry implicit margins (all of them, or none).</summary>
    bool HasImplicit { get; }

    /// <summary>Every pair's margins, in input order; each call is a new pass.</summary>
    IEnumerable<PairMargins> Pass();
}

/// <summary>Margins held in arrays.</summary>
public sealed class ArrayPairMargins : IPairMargins
{
    private readonly double[] _external;
    private readonly double[] _implicit;

    /// <param name="implicitMargins">One per pair, or empty when the dataset has none.</param>
    public ArrayPairMargins(double[] external, double[] implicitMargins)
    {
        ArgumentNullException.ThrowIfNull(external);
        ArgumentNullException.ThrowIfNull(implicitMargins);
        if (implicitMargins.Length != 0 && implicitMargins.Length != external.Length)
        {
            throw new ArgumentException($"{implicitMargins.Length} implicit margins for {external.Length} pairs; give one per pair or none.", nameof(implicitMargins));
        }

        _external = external;
        _implicit = implicitMargins;
    }

    public long Count => _external.Length;

    public bool HasImplicit => _implicit.Length != 0;

    public IEnumerable<PairMargins> Pass()
    {
        for (var i = 0; i < _external.Length; i++)
        {
            yield return new PairMargins(_external[i], HasImplicit ? _implicit[i] : double.NaN);
        }
    }
}
