using PrefSuite.Science.Pairs;
using PrefSuite.Science.Randomness;
using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Tests.Pairs;

public class RandomizedStrategyTests
{
    [Fact]
    public void MinOfKRandomRejectedSitsNearMuMinus116SigmaOnNormalRewards()
    {
        // The expected minimum of 5 standard normal draws is −1.1630 (SCIENCE.md §2: about μ − 1.16σ, not μ − 2σ).
        var strategy = new MinOfKRandomStrategy(k: 5, seed: 42);
        var rng = new SplitMix64(1);
        double sum = 0;
        const int prompts = 4000;
        var rewards = new double[400];
        var picks = new PairPick[1];
        for (var prompt = 0; prompt < prompts; prompt++)
        {
            for (var i = 0; i < rewards.Length; i++)
            {
                rewards[i] = rng.NextGaussian();
            }

            Assert.Equal(1, strategy.PickPairs(rewards, (ulong)prompt, picks));
            var stats = RewardStatistics.Compute(rewards);
            Assert.Equal(stats.Max, rewards[picks[0].ChosenIndex]);
            sum += (rewards[picks[0].RejectedIndex] - stats.Mean) / stats.StdDev;
        }

        Assert.InRange(sum / prompts, -1.163 - 0.04, -1.163 + 0.04);
    }

    [Fact]
    public void MinOfKRandomWithKAtLeastNMinusOneIsMaxMin()
    {
        double[] rewards = [0.3, 0.9, 0.1, 0.5];
        var picks = new PairPick[1];
        new MinOfKRandomStrategy(k: 3).PickPairs(rewards, 99, picks);
        Assert.Equal((1, 2), (picks[0].ChosenIndex, picks[0].RejectedIndex));
        Assert.Equal("min-of-3-random", new MinOfKRandomStrategy(k: 3).Describe(picks[0].RejectedPosition));
    }

    [Fact]
    public void SeededStrategiesRepeatPerPromptAndVaryAcrossPrompts()
    {
        var rewards = Enumerable.Range(0, 64).Select(i => Math.Sin(i * 1.7)).ToArray();
        foreach (var make in new Func<IPairStrategy>[] { () => new MinOfKRandomStrategy(5, 1, 7), () => new RandomPairStrategy(1, 7) })
        {
            var a = new PairPick[1];
            var b = new PairPick[1];
            make().PickPairs(rewards, 5, a);
            make().PickPairs(rewards, 5, b);
            Assert.Equal(a[0], b[0]);

            var distinct = Enumerable.Range(0, 50).Select(key =>
            {
                var p = new PairPick[1];
                make().PickPairs(rewards, (ulong)key, p);
                return p[0].RejectedIndex;
            }).Distinct().Count();
            Assert.True(distinct > 5, $"only {distinct} different rejected samples over 50 prompts");
        }
    }

    [Fact]
    public void RandomPairsAreOrientedByRewardAndNeverRepeat()
    {
        double[] rewards = [0.1, 0.4, 0.4, 0.8, 0.2];
        var picks = new PairPick[6];
        var count = new RandomPairStrategy(pairsPerPrompt: 6, seed: 1).PickPairs(rewards, 3, picks);
        Assert.Equal(6, count);
        Assert.All(picks, p => Assert.True(rewards[p.ChosenIndex] > rewards[p.RejectedIndex]));
        Assert.Equal(6, picks.Select(p => (p.ChosenIndex, p.RejectedIndex)).Distinct().Count());
    }
}
