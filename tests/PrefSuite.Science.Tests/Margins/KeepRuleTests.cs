using PrefSuite.Science.Margins;

namespace PrefSuite.Science.Tests.Margins;

public class KeepRuleTests
{
    [Theory]
    [InlineData("0.1", 15, 2)]
    [InlineData("10%", 100, 10)]
    [InlineData("0.1", 10, 1)]
    [InlineData("1", 7, 7)]
    [InlineData("500", 100, 100)]
    [InlineData("3", 100, 3)]
    public void ResolvesFractionsUpwardAndCountsExactly(string text, int total, int expected)
    {
        Assert.Equal(expected, KeepRule.Parse(text).Resolve(total));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0.5")]
    [InlineData("2.5")]
    [InlineData("half")]
    public void NonsenseIsRejected(string text)
    {
        Assert.ThrowsAny<Exception>(() => KeepRule.Parse(text));
    }
}
