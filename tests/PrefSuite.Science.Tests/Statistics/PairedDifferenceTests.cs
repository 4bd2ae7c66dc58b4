using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Tests.Statistics;

public class PairedDifferenceTests
{
    [Theory]
    [InlineData(1, 12.706204736174698)]
    [InlineData(2, 4.302652729749464)]
    [InlineData(4, 2.7764451051977934)]
    [InlineData(9, 2.2621571628540993)]
    [InlineData(30, 2.0422724563012373)]
    public void StudentTQuantileMatchesTheTables(int degreesOfFreedom, double expected)
    {
        // Two-sided 95%: the 0.975 quantile, from the printed tables (df 1 and 2 also in closed form: tan(0.475π) and
        // 0.95·√(2 / (4·0.975·0.025))).
        Assert.Equal(expected, StudentT.Quantile(0.975, degreesOfFreedom), 9);
        Assert.Equal(-expected, StudentT.Quantile(0.025, degreesOfFreedom), 9);
        Assert.Equal(0.975, StudentT.Cdf(expected, degreesOfFreedom), 10);
    }

    [Fact]
    public void PairedDifferenceIsTheMeanOfPerUnitDifferencesWithATInterval()
    {
        // Differences 0.01, 0.02, 0.03, 0.04, 0.05: mean 0.03; sample variance (4 + 1 + 0 + 1 + 4)·1e-4 / 4 = 2.5e-4;
        // standard error √(2.5e-4 / 5) = 0.0070711; half-width 2.7764451 × 0.0070711 = 0.0196324.
        double[] baseline = [0.50, 0.90, 0.60, 0.80, 0.70];
        double[] treatment = [0.51, 0.92, 0.63, 0.84, 0.75];

        var difference = PairedDifference.Of(treatment, baseline);

        Assert.Equal(5, difference.Count);
        Assert.Equal(0.03, difference.Mean, 12);
        Assert.Equal(Math.Sqrt(0.5) * 0.01, difference.StandardError, 12);
        Assert.Equal(0.03 - 0.0196324316, difference.Low, 9);
        Assert.Equal(0.03 + 0.0196324316, difference.High, 9);
        Assert.True(difference.ExcludesZero);

        // Unpaired, the baseline's spread across units (0.5 to 0.9) swamps the same 0.03: the interval of the treatment
        // mean alone is ±0.2, which is why the comparison pairs variants within a repeat.
        var unpaired = MeanInterval.Of(treatment);
        Assert.True(unpaired.High - unpaired.Low > 0.3);
    }

    [Fact]
    public void TwoUnitsGiveTheTwelvePointSevenMultiplier()
    {
        // n = 2: standard error |d₁ − d₂| / 2, multiplier t(0.975, 1) = 12.7062.
        var difference = PairedDifference.Of([0.9, 0.7], [0.8, 0.7]);
        Assert.Equal(0.05, difference.Mean, 12);
        Assert.Equal(0.05, difference.StandardError, 12);
        Assert.Equal(0.05 - (12.706204736174698 * 0.05), difference.Low, 9);
        Assert.False(difference.ExcludesZero);
    }

    [Fact]
    public void UnitsWithAMissingValueAreLeftOutAndOneUnitHasNoInterval()
    {
        var difference = PairedDifference.Of([0.9, double.NaN, 0.6], [0.8, 0.5, double.NaN]);
        Assert.Equal(1, difference.Count);
        Assert.Equal(0.1, difference.Mean, 12);
        Assert.True(double.IsNaN(difference.Low) && double.IsNaN(difference.High));
        Assert.False(difference.ExcludesZero);
        Assert.Equal(0, PairedDifference.Of([], []).Count);
    }

    [Fact]
    public void UnequalLengthsAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => PairedDifference.Of([1.0, 2.0], [1.0]));
        Assert.Contains("paired", error.Message, StringComparison.Ordinal);
    }
}
