using PrefSuite.Science.Margins;

namespace PrefSuite.Science.Tests.Margins;

public class MarginProbabilityTests
{
    [Theory]
    [InlineData(1.0, 4.0, 0.5)] // (1 + 2) / (4 + 2)
    [InlineData(-5.0, 4.0, 0.0)] // clipped to −2
    [InlineData(10.0, 4.0, 1.0)] // clipped to the cap
    [InlineData(0.0, 2.0, 0.5)] // (0 + 2) / (2 + 2)
    [InlineData(-1.0, 0.0, 0.5)] // (−1 + 2) / (0 + 2)
    public void ClipShiftAndScale(double margin, double cap, double expected)
    {
        Assert.Equal(expected, MarginProbability.ToProbability(margin, cap), 12);
    }

    [Fact]
    public void CapMustLieAboveTheFloor()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MarginProbability.ToProbability(0, -2));
        Assert.Throws<ArgumentException>(() => MarginProbability.CapFromQuantile([-3, -2.5, -4]));
    }

    [Fact]
    public void DefaultCapIsTheNinetyFifthPercentile()
    {
        var margins = Enumerable.Range(0, 101).Select(i => i / 100.0).ToArray();
        Assert.Equal(0.95, MarginProbability.CapFromQuantile(margins), 12);
    }
}
