using PrefSuite.Science.Pairs;
using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Tests.Pairs;

public class PositionPairStrategyTests
{
    // μ = 0.536875, population σ = 0.526447…, μ − 2σ = −0.51602 (computed independently with Python).
    // Nearest μ−2σ: index 12 (0.34, distance 0.856) beats the outlier at index 15 (−1.4, distance 0.884).
    private static readonly double[] Rewards =
        [0.47, 0.75, 0.65, 0.6, 0.76, 0.94, 0.68, 0.84, 0.92, 0.45, 0.52, 0.72, 0.34, 0.56, 0.79, -1.4];

    private static PairPick[] Pick(IPairStrategy strategy, double[] rewards, int capacity = 1)
    {
        var picks = new PairPick[capacity];
        var count = strategy.PickPairs(rewards, 7, picks);
        return picks[..count];
    }

    [Fact]
    public void SweetSpotPicksTheSampleNearestMuMinusTwoSigma()
    {
        var pair = Assert.Single(Pick(PairStrategies.Create(new PairStrategyOptions()), Rewards));
        Assert.Equal(5, pair.ChosenIndex);
        Assert.Equal(12, pair.RejectedIndex);
        Assert.Equal("max", pair.ChosenPosition?.Name);
        Assert.Equal("mu-2sigma", pair.RejectedPosition?.Name);
        Assert.Equal(PairFallback.None, pair.Fallback);
    }

    [Fact]
    public void MaxMinTakesTheOutlier()
    {
        var pair = Assert.Single(Pick(PairStrategies.Create(new PairStrategyOptions { Name = StrategyNames.MaxMin }), Rewards));
        Assert.Equal((5, 15), (pair.ChosenIndex, pair.RejectedIndex));
    }

    [Fact]
    public void PositionStrategyUsesBothPositions()
    {
        // r = [1.0, 0.9, …, 0.0, −3.0]: μ = 0.208333, σ = 1.013622; μ + σ = 1.2220 → index 0, μ − σ = −0.8053 → index 10.
        double[] rewards = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0, -3.0];
        var strategy = PairStrategies.Create(new PairStrategyOptions
        {
            Name = StrategyNames.Position,
            Chosen = RewardPosition.Sigma(1),
            Rejected = RewardPosition.Sigma(-1),
        });
        var pair = Assert.Single(Pick(strategy, rewards));
        Assert.Equal((0, 10), (pair.ChosenIndex, pair.RejectedIndex));
    }

    [Fact]
    public void RejectedTakesTheNextNearestWhenTheNearestIsTheChosen()
    {
        // μ + 2σ = 2.2356 and μ + σ = 1.2220 are both nearest index 0 (1.0); the rejected moves to the next nearest, index 1.
        double[] rewards = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0, -3.0];
        var strategy = PairStrategies.Create(new PairStrategyOptions
        {
            Name = StrategyNames.Position,
            Chosen = RewardPosition.Sigma(2),
            Rejected = RewardPosition.Sigma(1),
        });
        var pair = Assert.Single(Pick(strategy, rewards));
        Assert.Equal((0, 1), (pair.ChosenIndex, pair.RejectedIndex));
    }

    [Fact]
    public void FewerThanThreeResponsesFallBackToMaxMinAndSaySo()
    {
        var pair = Assert.Single(Pick(PairStrategies.Create(new PairStrategyOptions()), [0.2, 0.7]));
        Assert.Equal((1, 0), (pair.ChosenIndex, pair.RejectedIndex));
        Assert.Equal(PairFallback.FewerThanThreeResponses, pair.Fallback);
        Assert.Equal("min", pair.RejectedPosition?.Name);
    }

    [Fact]
    public void EqualRewardsYieldNoPair()
    {
        Assert.Empty(Pick(PairStrategies.Create(new PairStrategyOptions()), [0.5, 0.5, 0.5, 0.5]));
    }

    [Fact]
    public void OneResponseIsAnErrorThatSaysHowMany()
    {
        var error = Assert.Throws<ArgumentException>(() => Pick(PairStrategies.Create(new PairStrategyOptions()), [0.5]));
        Assert.Contains("has 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SeveralPairsPerPromptUseDisjointSamplesInRankOrder()
    {
        var strategy = PairStrategies.Create(new PairStrategyOptions { PairsPerPrompt = 3 });
        var picks = Pick(strategy, Rewards, capacity: 3);
        Assert.Equal(3, picks.Length);
        // Chosen: the three best (0.94, 0.92, 0.84); rejected: nearest −0.516 among unused: 0.34, then −1.4, then 0.45.
        Assert.Equal([5, 8, 7], picks.Select(p => p.ChosenIndex));
        Assert.Equal([12, 15, 9], picks.Select(p => p.RejectedIndex));
        Assert.Equal(6, picks.SelectMany(p => new[] { p.ChosenIndex, p.RejectedIndex }).Distinct().Count());
    }

    [Fact]
    public void PositionStrategyOnlyTakesTheSevenPositions()
    {
        var error = Assert.Throws<ArgumentException>(() => PairStrategies.Create(new PairStrategyOptions
        {
            Name = StrategyNames.Position,
            Chosen = RewardPosition.Max,
            Rejected = RewardPosition.Sigma(-1.5),
        }));
        Assert.Contains("seven", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChosenBelowRejectedIsRejected()
    {
        Assert.Throws<ArgumentException>(() => PairStrategies.Create(new PairStrategyOptions
        {
            Chosen = RewardPosition.Sigma(-2),
            Rejected = RewardPosition.Max,
        }));
    }

    [Fact]
    public void SweetSpotTakesAnyRealK()
    {
        var strategy = PairStrategies.Create(new PairStrategyOptions { Rejected = RewardPosition.Sigma(-1.5) });
        var pair = Assert.Single(Pick(strategy, Rewards));
        // μ − 1.5σ = −0.25280: nearest is 0.34 (index 12).
        Assert.Equal(12, pair.RejectedIndex);
        Assert.Equal("mu-1.5sigma", pair.RejectedPosition?.Name);
    }

    [Fact]
    public void UnknownStrategyNamesListTheKnownOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => PairStrategies.Create(new PairStrategyOptions { Name = "best" }));
        Assert.Contains("sweet-spot", error.Message, StringComparison.Ordinal);
    }
}
