using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Tests.Statistics;

public class RewardStatisticsTests
{
    [Fact]
    public void PopulationSigmaDividesByN()
    {
        var stats = RewardStatistics.Compute([1, 2, 3, 4]);
        Assert.Equal(2.5, stats.Mean, 12);
        Assert.Equal(Math.Sqrt(1.25), stats.StdDev, 12);
        Assert.Equal(1, stats.Min);
        Assert.Equal(4, stats.Max);
    }

    [Fact]
    public void SampleSigmaDividesByNMinusOne()
    {
        var stats = RewardStatistics.Compute([1, 2, 3, 4], SigmaKind.Sample);
        Assert.Equal(Math.Sqrt(5.0 / 3.0), stats.StdDev, 12);
    }

    [Fact]
    public void ValueAtMapsPositionsToRewards()
    {
        var stats = RewardStatistics.Compute([1, 2, 3, 4]);
        Assert.Equal(2.5 - (2 * Math.Sqrt(1.25)), stats.ValueAt(RewardPosition.Sigma(-2)), 12);
        Assert.Equal(1, stats.ValueAt(RewardPosition.Min));
        Assert.Equal(4, stats.ValueAt(RewardPosition.Max));
    }

    [Fact]
    public void NonFiniteRewardIsRejectedWithItsIndex()
    {
        var error = Assert.Throws<ArgumentException>(() => RewardStatistics.Compute([1, double.NaN, 3]));
        Assert.Contains("Reward 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EqualRewardsAreFlat()
    {
        Assert.True(RewardStatistics.Compute([0.5, 0.5, 0.5]).IsFlat);
        Assert.False(RewardStatistics.Compute([0.5, 0.5, 0.6]).IsFlat);
    }
}
