using CsCheck;
using PrefSuite.Science.Margins;
using PrefSuite.Science.Routing;

namespace PrefSuite.Science.Tests.Margins;

public class DatasetSelectionTests
{
    [Fact]
    public void KeepsTheTopPairsByAggregatedProbability()
    {
        double[] external = [0.5, 1.0, 2.0, 4.0];
        double[] implicitMargins = [2.0, -2.0, 0.0, -2.0];
        var result = DatasetSelection.Apply(external, implicitMargins, new DatasetSelectionOptions
        {
            ExternalCap = 4,
            ImplicitCap = 2,
            Keep = KeepRule.OfCount(2),
        });

        // External p: (m + 2) / 6 = [5/12, 1/2, 2/3, 1]; implicit p: (m + 2) / 4 = [1, 0, 1/2, 0].
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

public class ZeroMarginPairTests
{
    [Fact]
    public void WithoutRoutingTiesAreDroppedBeforeTheTopKIsTaken()
    {
        double[] external = [0.0, 1.0, 0.0, 2.0];
        var all = DatasetSelection.Apply(external, [], new DatasetSelectionOptions { ExternalCap = 2 });
        Assert.Equal([1, 3], all.Order);
        Assert.Equal((2, 2), (all.KeptCount, all.DroppedTies));
        Assert.Equal([true, false, true, false], all.Pairs.Select(p => p.Tie));

        // K = ⌈0.5 · 2 non-tie pairs⌉ = 1: the ties neither take a slot nor count towards K.
        var half = DatasetSelection.Apply(external, [], new DatasetSelectionOptions { ExternalCap = 2, Keep = KeepRule.OfFraction(0.5) });
        Assert.Equal([3], half.Order);
    }

    [Fact]
    public void WithRoutingKeptTiesGoToSftAndTheThresholdIgnoresThem()
    {
        double[] external = [0.0, 0.3, 0.9, 0.6, 0.0];
        var result = DatasetSelection.Apply(external, [], new DatasetSelectionOptions { RouteSmallMargins = true });
        // Lower tercile of the non-tie margins [0.3, 0.6, 0.9] at position 2/3: 0.3 + 2/3·0.3 = 0.5.
        Assert.Equal(0.5, result.RouteThreshold, 12);
        Assert.Equal([PairRoute.Sft, PairRoute.Sft, PairRoute.Dpo, PairRoute.Dpo, PairRoute.Sft], result.Pairs.Select(p => p.Route));
        Assert.Equal([2, 3, 1, 0, 4], result.Order);
        Assert.Equal((5, 3, 0), (result.KeptCount, result.SftCount, result.DroppedTies));
    }

    [Fact]
    public void ATieIsNeverAKeptDpoPair()
    {
        var margins = Gen.Int[0, 4].Select(i => (double)i).Array[1, 40];
        Gen.Select(margins, Gen.Bool, Gen.Double[0.05, 1.0]).Sample((m, route, fraction) =>
        {
            var result = DatasetSelection.Apply(m, [], new DatasetSelectionOptions { RouteSmallMargins = route, Keep = KeepRule.OfFraction(fraction), ExternalCap = 4 });
            for (var i = 0; i < m.Length; i++)
            {
                Assert.False(result.Pairs[i].Kept && result.Pairs[i].Route == PairRoute.Dpo && m[i] == 0);
            }

            Assert.Equal(result.KeptCount, result.Order.Count);
            Assert.Equal(route ? 0 : m.Count(x => x == 0), result.DroppedTies);
        });
    }
}
