namespace PrefSuite.Science.Routing;

/// <summary>
/// MixDPO's routing (Pang et al., SCIENCE.md §6): order pairs easy → hard by margin; pairs whose margin lies below a
/// threshold go to SFT on the chosen instead of the preference loss. The threshold is not published; the default is
/// the margins' lower tercile.
/// </summary>
public static class SmallMarginRouting
{
    public const double DefaultThresholdQuantile = 1.0 / 3.0;

    /// <summary>The margin below which a pair is routed to SFT.</summary>
    public static double Threshold(ReadOnlySpan<double> margins, double quantile = DefaultThresholdQuantile) =>
        margins.IsEmpty ? double.NegativeInfinity : Statistics.Quantile.Of(margins, quantile);

    /// <summary>The same threshold over margins too many to hold: <paramref name="pass"/> yields all <paramref name="count"/> of them on each call.</summary>
    public static double Threshold(Func<IEnumerable<double>> pass, long count, double quantile = DefaultThresholdQuantile) =>
        count == 0 ? double.NegativeInfinity : Statistics.Quantile.Of(pass, count, quantile);

    /// <summary>SFT strictly below the threshold, DPO at or above it.</summary>
    public static PairRoute Route(double margin, double threshold) => margin < threshold ? PairRoute.Sft : PairRoute.Dpo;

    /// <summary>The curriculum: indices ordered by descending margin (easy first), ties in input order.</summary>
    public static int[] CurriculumOrder(ReadOnlySpan<double> margins) => Margins.TopK.Indices(margins, margins.Length);
}
