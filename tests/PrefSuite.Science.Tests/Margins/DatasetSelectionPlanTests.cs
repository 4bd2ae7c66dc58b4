using CsCheck;
using PrefSuite.Science.Margins;
using PrefSuite.Science.Routing;

namespace PrefSuite.Science.Tests.Margins;

public class DatasetSelectionPlanTests
{
    /// <summary>Margins from a few values, so that probabilities tie often (ties go to the lower index).</summary>
    private static readonly Gen<(double[] External, double[] Implicit)> Margins =
        Gen.Int[1, 60].SelectMany(n => Gen.Select(Gen.Int[0, 8].Array[n], Gen.Int[-6, 6].Array[n], Gen.Bool))
            .Select((e, i, withImplicit) => (e.Select(v => v / 2.0).ToArray(), withImplicit ? i.Select(v => v / 3.0).ToArray() : []));

    private static readonly Gen<DatasetSelectionOptions> Options =
        Gen.Select(Gen.OneOf(Gen.Const(KeepRule.All), Gen.Double[0.05, 1].Select(KeepRule.OfFraction), Gen.Int[1, 70].Select(KeepRule.OfCount)), Gen.Bool, Gen.Enum<AggregationMethod>(), Gen.Double[0.1, 0.9])
            .Select((keep, route, aggregation, quantile) => new DatasetSelectionOptions { Keep = keep, RouteSmallMargins = route, Aggregation = aggregation, RouteQuantile = quantile, ImplicitCap = 2 });

    [Fact]
    public void ThePlanKeepsRoutesAndOrdersAsASortOfEveryPairWould()
    {
        // A direct reading of SCIENCE.md §3 and §6: sort every pair by probability (ties by index), keep the first K,
        // threshold at the kept margins' quantile, order easy → hard by margin (ties by index) when routing. Zero-margin
        // pairs state no preference: without routing they are left out before K is taken; with routing a kept one goes to
        // SFT and the threshold is the quantile of the kept non-zero margins.
        Gen.Select(Margins, Options).Sample((margins, options) =>
        {
            var (external, implicitMargins) = margins;
            var n = external.Length;
            var cap = MarginProbability.CapFromQuantile(external, options.CapQuantile);
            var probability = Enumerable.Range(0, n).Select(i =>
            {
                var pe = MarginProbability.ToProbability(external[i], cap);
                return implicitMargins.Length == 0 ? pe : MarginAggregation.Combine(options.Aggregation, pe, MarginProbability.ToProbability(implicitMargins[i], 2));
            }).ToArray();
            var route = options.RouteSmallMargins;
            var eligible = Enumerable.Range(0, n).Where(i => route || external[i] != 0).ToArray();
            var keep = eligible.Length == 0 ? 0 : options.Keep.Resolve(eligible.Length);
            var kept = eligible.OrderByDescending(i => probability[i]).ThenBy(i => i).Take(keep).Order().ToArray();
            var nonTies = kept.Where(i => external[i] != 0).Select(i => external[i]).ToArray();
            var threshold = route && nonTies.Length > 0 ? PrefSuite.Science.Statistics.Quantile.Of(nonTies, options.RouteQuantile) : double.NegativeInfinity;
            var order = route ? kept.OrderByDescending(i => external[i]).ThenBy(i => i).ToArray() : kept;
            bool ToSft(int i) => route && (external[i] == 0 || external[i] < threshold);

            var plan = DatasetSelection.Plan(external, implicitMargins, options);
            Assert.Equal(order, DatasetSelection.Apply(external, implicitMargins, options).Order);
            Assert.Equal(kept, Kept(plan, external, implicitMargins));
            Assert.Equal(keep, plan.KeptCount);
            Assert.Equal(threshold, plan.RouteThreshold);
            Assert.Equal(kept.Count(ToSft), plan.SftCount);
            Assert.Equal(route ? 0 : external.Count(m => m == 0), plan.DroppedTies);
            foreach (var i in kept)
            {
                var decision = plan.Decide(external[i], implicitMargins.Length == 0 ? double.NaN : implicitMargins[i]);
                Assert.Equal(probability[i], decision.Probability, 15);
                Assert.Equal(ToSft(i) ? PairRoute.Sft : PairRoute.Dpo, decision.Route);
            }
        });
    }

    private static int[] Kept(DatasetSelectionPlan plan, double[] external, double[] implicitMargins)
    {
        var filter = plan.Filter();
        return [.. Enumerable.Range(0, external.Length).Where(i => filter.Keep(external[i], implicitMargins.Length == 0 ? double.NaN : implicitMargins[i]))];
    }

    [Fact]
    public void KeepingEveryPairWithoutRoutingNeedsNoOrder()
    {
        var plan = DatasetSelection.Plan([0.5, 2, 1], [], new DatasetSelectionOptions());
        Assert.True(plan.KeepsAll);
        Assert.Equal((3, 0), (plan.KeptCount, plan.SftCount));
        // Cap: the 95th percentile of [0.5, 1, 2] = 1.9; p = (m + 2) / 3.9.
        Assert.Equal(2.5 / 3.9, plan.Decide(0.5, double.NaN).ExternalProbability, 12);
    }
}
