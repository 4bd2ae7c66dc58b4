using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Tests.Statistics;

public class QuantileTests
{
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(1.0 / 3.0, 2.0)]
    [InlineData(0.5, 2.5)]
    [InlineData(0.95, 3.85)]
    [InlineData(1.0, 4.0)]
    public void InterpolatesLinearlyBetweenOrderStatistics(double q, double expected)
    {
        Assert.Equal(expected, Quantile.Of([4, 1, 3, 2], q), 12);
    }

    [Fact]
    public void OutOfRangeQuantileIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Quantile.Of([1, 2], 1.5));
        Assert.Throws<ArgumentException>(() => Quantile.Of([], 0.5));
    }
}
