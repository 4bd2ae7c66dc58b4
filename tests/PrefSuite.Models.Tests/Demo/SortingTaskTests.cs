using PrefSuite.Models.Demo;
using PrefSuite.Science.Demo;

namespace PrefSuite.Models.Tests.Demo;

public class SortingTaskTests
{
    [Theory]
    [InlineData("1 2 3", true, 1.0)]
    [InlineData("1 3 2", true, 1.0 / 3.0)] // two substitutions over 3
    [InlineData("1 2", true, 2.0 / 3.0)] // one deletion over max(3, 2)
    [InlineData("1 2 3 4 5 6 7", true, 3.0 / 7.0)] // four insertions over 7
    [InlineData("", true, 0.0)]
    [InlineData("1 2 3", false, 0.5)] // no EOS: half
    [InlineData("9 9 9 9 9 9 9 9 9", true, 0.0)] // floored at 0
    public void RewardIsOneMinusNormalisedEditDistance(string response, bool ended, double expected)
    {
        Assert.Equal(expected, SortingTask.Reward("sort 3 1 2 =", response, ended), 12);
    }

    [Fact]
    public void PromptsAreReproducibleAndWellFormed()
    {
        var a = SortingTask.Prompts(50, 7);
        var b = SortingTask.Prompts(50, 7);
        Assert.Equal(a.Select(p => p.Text), b.Select(p => p.Text));
        Assert.All(a, p => Assert.InRange(p.Digits.Length, 4, 8));
        Assert.All(a, p => Assert.Equal(p.Digits, SortingTask.ParseDigits(p.Text)));
        Assert.NotEqual(a.Select(p => p.Text), SortingTask.Prompts(50, 8).Select(p => p.Text));
    }

    [Fact]
    public void TheNoisyCorpusAveragesAboutPointSevenSix()
    {
        var corpus = new NoisySortingCorpus(3);
        var rewards = Enumerable.Range(0, 20_000).Select(_ => corpus.Next()).Select(d => SortingTask.Reward(d.Prompt, d.Response)).ToArray();
        Assert.InRange(rewards.Average(), 0.73, 0.79);
        Assert.InRange(rewards.Count(r => r == 1) / (double)rewards.Length, 0.38, 0.46); // 40% correct, plus edits that cancel out
        Assert.True(rewards.Count(r => r == 0) > 1000); // degenerate demonstrations exist
    }

    [Fact]
    public void TheSimulatedRewardModelAddsTheConfiguredNoiseAndFlips()
    {
        var model = new SimulatedRewardModel(noise: 0.2, flipRate: 0.25, seed: 4);
        var prompts = SortingTask.Prompts(4000, 5);
        var flipped = prompts.Count(p => model.IsFlipped(p.Text));
        Assert.InRange(flipped / 4000.0, 0.22, 0.28);

        var errors = prompts.Where(p => !model.IsFlipped(p.Text)).Select(p => model.Score(p.Text, p.TargetText) - 1.0).ToArray();
        Assert.InRange(errors.Average(), -0.02, 0.02);
        Assert.InRange(Math.Sqrt(errors.Select(e => e * e).Average()), 0.18, 0.22);
        // On flipped prompts the perfect answer scores 1 − 1 + noise: about 0.
        var reversed = prompts.Where(p => model.IsFlipped(p.Text)).Select(p => model.Score(p.Text, p.TargetText)).ToArray();
        Assert.InRange(reversed.Average(), -0.03, 0.03);
        Assert.Equal(model.Score(prompts[0].Text, "1 2"), model.Score(prompts[0].Text, "1 2"));
    }
}
