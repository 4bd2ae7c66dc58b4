using PrefSuite.Science.Margins;
using PrefSuite.Science.Routing;

namespace PrefSuite.Science.Tests.Margins;

public class DatasetSelectionTests
{
    [Fact]
    public void KeepsTheTopPairsByAggregatedProbability()
    {
        double[] external = [0.0, 1.0, 2.0, 4.0];
        double[] implicitMargins = [2.0, -2.0, 0.0, -2.0];
        var result = DatasetSelection.Apply(external, implicitMargins, new DatasetSelectionOptions
        {
            ExternalCap = 4,
            ImplicitCap = 2,
            Keep = KeepRule.OfCount(2),
        });

        // External p: (m + 2) / 6 = [1/3, 1/2, 2/3, 1]; implicit p: (m + 2) / 4 = [1, 0, 1/2, 0].
        // Bayes: [1, 0, 2/3, 0.5 (complete conflict)] → keep pairs 0 and 2.
        double[] expected = [1.0, 0.0, 2.0 / 3.0, 0.5];
        Assert.All(expected.Zip(result.Pairs), p => Assert.Equal(p.First, p.Second.Probability, 12));
        Assert.Equal([true, false, true, false], result.Pairs.Select(p => p.Kept));
        Assert.Equal([0, 2], result.Order);
        Assert.Equal(2, result.KeptCount);
    }

    [Fact]
    public void WithoutImplicitMarginsTheExternalProbabilityDecides()
    {
        double[] external = [0.5, 3.0, 1.0];
        var result = DatasetSelection.Apply(external, [], new DatasetSelectionOptions { ExternalCap = 2, Keep = KeepRule.OfCount(1) });
        Assert.Equal([0.625, 1.0, 0.75], result.Pairs.Select(p => p.Probability));
        Assert.Equal([1], result.Order);
        Assert.Null(result.Pairs[0].ImplicitProbability);
    }

    [Fact]
    public void RoutingSendsTheLowerTercileToSftInCurriculumOrder()
    {
        double[] external = [0.3, 0.9, 0.1, 0.6, 0.5, 0.2];
        var result = DatasetSelection.Apply(external, [], new DatasetSelectionOptions { RouteSmallMargins = true });
        // Lower tercile of [0.1, 0.2, 0.3, 0.5, 0.6, 0.9] at position 5/3: 0.2 + 2/3·0.1 = 0.2667: 0.1 and 0.2 go to SFT.
        Assert.Equal(0.2 + (0.1 * 2 / 3), result.RouteThreshold, 12);
        Assert.Equal([PairRoute.Dpo, PairRoute.Dpo, PairRoute.Sft, PairRoute.Dpo, PairRoute.Dpo, PairRoute.Sft], result.Pairs.Select(p => p.Route));
        Assert.Equal([1, 3, 4, 0, 5, 2], result.Order);
        Assert.Equal(2, result.SftCount);
    }

    [Fact]
    public void ImplicitMarginCountMustMatch()
    {
        Assert.Throws<ArgumentException>(() => DatasetSelection.Apply([1, 2], [1], new DatasetSelectionOptions()));
    }
}
