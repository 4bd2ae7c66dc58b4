using PrefSuite.Models.Training;
using PrefSuite.Science.Augmentation;
using PrefSuite.Stages.Training;

namespace PrefSuite.Stages.Tests.Training;

public sealed class WarmupSubsetTests
{
    private static readonly TrainingPair[] Pairs =
        [.. Enumerable.Range(0, 40).Select(i => new TrainingPair(PromptText.FromText($"p{i}"), $"c{i}", $"r{i}", 1, 0))];

    [Fact]
    public void TheWarmupTrainsOnASeededRandomShareOfThePairsInTheirOrder()
    {
        var subset = TrainingJobRunner.Subset(Pairs, 0.25, 7);
        Assert.Equal(10, subset.Count);
        Assert.Equal(subset, TrainingJobRunner.Subset(Pairs, 0.25, 7));
        Assert.NotEqual(subset, TrainingJobRunner.Subset(Pairs, 0.25, 8));
        Assert.NotEqual(Pairs.Take(10), subset); // random, not the first ones
        var positions = subset.Select(p => Array.IndexOf(Pairs, p)).ToArray();
        Assert.Equal(positions.Order(), positions);
    }

    [Theory]
    [InlineData(0.0, 40)]
    [InlineData(1.0, 40)]
    [InlineData(0.001, 1)]
    public void NoShareOrAllOfItTrainsOnEveryPairAndATinyShareOnOne(double fraction, int count) =>
        Assert.Equal(count, TrainingJobRunner.Subset(Pairs, fraction, 7).Count);
}
