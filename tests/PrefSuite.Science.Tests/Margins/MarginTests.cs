using PrefSuite.Science.Margins;

namespace PrefSuite.Science.Tests.Margins;

public class MarginTests
{
    // Summed log-probs by hand: policy −10 (chosen), −14 (rejected); reference −12, −13. h = (−10 + 14) − (−12 + 13) = 3.
    [Fact]
    public void TheImplicitMarginIsBetaTimesTheLogRatioDifference()
    {
        Assert.Equal(0.2, Margin.ImplicitReward(0.1, -10, -12), 12); // β·(logπθ − logπref) = 0.1·2
        Assert.Equal(-0.1, Margin.ImplicitReward(0.1, -14, -13), 12); // 0.1·(−1)
        Assert.Equal(0.3, Margin.Implicit(0.2, -0.1), 12); // r̂(y_w) − r̂(y_l)
        Assert.Equal(0.3, Margin.Implicit(0.1, -10, -14, -12, -13), 12); // β·h = 0.1·3
        Assert.Equal(3.0, Margin.Implicit(1.0, -10, -14, -12, -13), 12); // SCIENCE.md §3's β-free margin is the β = 1 case
    }
}
