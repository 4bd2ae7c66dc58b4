using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Tests.Statistics;

public class KendallTauTests
{
    [Fact]
    public void OneSwapAmongThreeGivesOneThird()
    {
        // Pairs (1,2) concordant, (1,3) concordant, (2,3) discordant: (2 − 1) / 3.
        Assert.Equal(1.0 / 3.0, KendallTau.TauB([1, 2, 3], [1, 3, 2]), 12);
    }

    [Fact]
    public void IdenticalAndReversedRankingsGiveOneAndMinusOne()
    {
        Assert.Equal(1.0, KendallTau.TauB([0.1, 0.5, 0.3, 0.9], [1, 5, 3, 9]), 12);
        Assert.Equal(-1.0, KendallTau.TauB([0.1, 0.5, 0.3, 0.9], [9, 5, 7, 1]), 12);
    }

    [Fact]
    public void TiesUseTauB()
    {
        // x = [1,1,2], y = [1,2,3]: pair (1,2) tied in x only; (1,3), (2,3) concordant.
        // τ-b = 2 / sqrt((2 + 0) · (2 + 1)).
        Assert.Equal(2 / Math.Sqrt(6), KendallTau.TauB([1, 1, 2], [1, 2, 3]), 12);
    }
}
