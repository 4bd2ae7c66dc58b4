using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Tests.Statistics;

public class RewardPositionTests
{
    [Theory]
    [InlineData("min", "min")]
    [InlineData("max", "max")]
    [InlineData("mu", "mu")]
    [InlineData("mean", "mu")]
    [InlineData("mu-2sigma", "mu-2sigma")]
    [InlineData("μ−2σ", "mu-2sigma")]
    [InlineData("mu+sigma", "mu+sigma")]
    [InlineData("mu+1sigma", "mu+sigma")]
    [InlineData("mu - 1.5 sigma", "mu-1.5sigma")]
    [InlineData("MU+2SIGMA", "mu+2sigma")]
    public void NamesParseAndPrintCanonically(string text, string canonical)
    {
        Assert.Equal(canonical, RewardPosition.Parse(text).Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("median")]
    [InlineData("mu2sigma")]
    [InlineData("mu-xsigma")]
    [InlineData("mu-2")]
    public void NonsenseIsRejected(string text)
    {
        Assert.False(RewardPosition.TryParse(text, out _));
        var error = Assert.Throws<FormatException>(() => RewardPosition.Parse(text));
        Assert.Contains("mu-2sigma", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSweepHasTwentyOnePairsWithTheChosenAlwaysAbove()
    {
        Assert.Equal(21, RewardPosition.SweepPairs.Count);
        Assert.All(RewardPosition.SweepPairs, p => Assert.True(p.Chosen.CompareRank(p.Rejected) > 0));
        Assert.Equal(21, RewardPosition.SweepPairs.Distinct().Count());
    }

    [Fact]
    public void SevenPositionsAreOrderedLowToHigh()
    {
        Assert.Equal(["min", "mu-2sigma", "mu-sigma", "mu", "mu+sigma", "mu+2sigma", "max"], RewardPosition.Seven.Select(p => p.Name));
    }
}
