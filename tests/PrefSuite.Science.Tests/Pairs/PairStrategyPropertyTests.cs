using CsCheck;
using PrefSuite.Science.Pairs;
using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Tests.Pairs;

public class PairStrategyPropertyTests
{
    private static readonly Gen<double[]> RewardVectors = Gen.Double[-10, 10].Array[2, 200];

    [Fact]
    public void DefaultStrategyChosenIsTheMaxAndNeverBelowTheRejected()
    {
        var strategy = PairStrategies.Create(new PairStrategyOptions());
        RewardVectors.Sample(rewards =>
        {
            var picks = new PairPick[1];
            var count = strategy.PickPairs(rewards, 1, picks);
            var flat = rewards.Min() == rewards.Max();
            Assert.Equal(flat ? 0 : 1, count);
            if (count == 1)
            {
                var p = picks[0];
                Assert.NotEqual(p.ChosenIndex, p.RejectedIndex);
                Assert.Equal(rewards.Max(), rewards[p.ChosenIndex]);
                Assert.True(rewards[p.ChosenIndex] >= rewards[p.RejectedIndex]);
            }
        });
    }

    [Fact]
    public void EveryPositionPairKeepsChosenAtOrAboveRejected()
    {
        RewardVectors.Sample(rewards =>
        {
            foreach (var (chosen, rejected) in RewardPosition.SweepPairs)
            {
                var strategy = new PositionPairStrategy(StrategyNames.Position, chosen, rejected);
                var picks = new PairPick[1];
                if (strategy.PickPairs(rewards, 1, picks) == 1)
                {
                    Assert.NotEqual(picks[0].ChosenIndex, picks[0].RejectedIndex);
                    Assert.True(rewards[picks[0].ChosenIndex] >= rewards[picks[0].RejectedIndex]);
                }
            }
        });
    }

    [Fact]
    public void WithFourSamplesMuMinusTwoSigmaIsAlwaysTheMinimum()
    {
        // DEMO-TASK.md: four samples cannot lie 2σ below their mean, so sweet-spot and max-min coincide at N = 4.
        var sweet = PairStrategies.Create(new PairStrategyOptions());
        var maxMin = PairStrategies.Create(new PairStrategyOptions { Name = StrategyNames.MaxMin });
        // Rewards on a grid of 1/1000, so distances to μ − 2σ never tie by rounding.
        Gen.Int[0, 1000].Array[4].Select(a => a.Select(v => v / 1000.0).ToArray()).Sample(rewards =>
        {
            var a = new PairPick[1];
            var b = new PairPick[1];
            Assert.Equal(sweet.PickPairs(rewards, 1, a), maxMin.PickPairs(rewards, 1, b));
            Assert.Equal(rewards[b[0].RejectedIndex], rewards[a[0].RejectedIndex]);
        });
    }

    [Fact]
    public void SeveralPairsNeverReuseASample()
    {
        var strategies = new[]
        {
            PairStrategies.Create(new PairStrategyOptions { PairsPerPrompt = 4 }),
            PairStrategies.Create(new PairStrategyOptions { Name = StrategyNames.MaxMinOfKRandom, PairsPerPrompt = 4, Seed = 3 }),
        };
        RewardVectors.Sample(rewards =>
        {
            foreach (var strategy in strategies)
            {
                var picks = new PairPick[4];
                var count = strategy.PickPairs(rewards, 11, picks);
                var used = picks[..count].SelectMany(p => new[] { p.ChosenIndex, p.RejectedIndex }).ToArray();
                Assert.Equal(used.Length, used.Distinct().Count());
                Assert.All(picks[..count], p => Assert.True(rewards[p.ChosenIndex] >= rewards[p.RejectedIndex]));
            }
        });
    }
}
