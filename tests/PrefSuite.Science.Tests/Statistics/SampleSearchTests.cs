using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Tests.Statistics;

public class SampleSearchTests
{
    [Fact]
    public void TiesGoToTheLowestIndexForMaxMinAndNearest()
    {
        // Binary fractions, so the distances below are exact.
        double[] rewards = [0.25, 0.875, 0.125, 0.875, 0.125];
        Assert.Equal(1, SampleSearch.ArgMax(rewards));
        Assert.Equal(2, SampleSearch.ArgMin(rewards));
        // 0.5 is 0.25 from 0.25 and 0.375 from 0.875: index 0. 0.1875 is 0.0625 from both 0.25 and 0.125: index 0.
        Assert.Equal(0, SampleSearch.Nearest(rewards, 0.5));
        Assert.Equal(0, SampleSearch.Nearest(rewards, 0.1875));
        // 1.0 is 0.125 from both 0.875s: index 1.
        Assert.Equal(1, SampleSearch.Nearest(rewards, 1.0));
    }

    [Fact]
    public void ExcludedAndAboveCeilingSamplesAreSkipped()
    {
        double[] rewards = [0.2, 0.9, 0.1, 0.8];
        bool[] excluded = [true, false, false, false];
        Assert.Equal(2, SampleSearch.Nearest(rewards, 0.2, excluded));
        Assert.Equal(3, SampleSearch.Nearest(rewards, 1.0, default, ceiling: 0.85));
        Assert.Equal(-1, SampleSearch.ArgMin(rewards, default, ceiling: 0.05));
    }
}
