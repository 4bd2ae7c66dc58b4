using PrefSuite.Science.Margins;

namespace PrefSuite.Science.Tests.Margins;

public class MarginAggregationTests
{
    [Fact]
    public void BayesMultipliesTheOdds()
    {
        // 0.8·0.6 / (0.8·0.6 + 0.2·0.4) = 0.48 / 0.56.
        Assert.Equal(0.48 / 0.56, MarginAggregation.Combine(AggregationMethod.Bayes, 0.8, 0.6), 12);
        // An uninformative source (0.5) leaves the other unchanged.
        Assert.Equal(0.73, MarginAggregation.Combine(AggregationMethod.Bayes, 0.73, 0.5), 12);
    }

    [Fact]
    public void CompleteConflictIsTheUniformPrior()
    {
        Assert.Equal(0.5, MarginAggregation.Combine(AggregationMethod.Bayes, 1.0, 0.0));
    }

    [Theory]
    [InlineData(AggregationMethod.Mean, 0.7)]
    [InlineData(AggregationMethod.Max, 0.8)]
    [InlineData(AggregationMethod.Min, 0.6)]
    public void SimpleAggregations(AggregationMethod method, double expected)
    {
        Assert.Equal(expected, MarginAggregation.Combine(method, 0.8, 0.6), 12);
    }

    [Theory]
    [InlineData("bayes", AggregationMethod.Bayes)]
    [InlineData("add", AggregationMethod.Mean)]
    [InlineData("MIN", AggregationMethod.Min)]
    public void NamesParse(string name, AggregationMethod expected)
    {
        Assert.Equal(expected, MarginAggregation.Parse(name));
    }

    [Fact]
    public void ProbabilitiesOutsideTheUnitIntervalAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MarginAggregation.Combine(AggregationMethod.Bayes, 1.2, 0.5));
    }
}
