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

    [Fact]
    public void TheLongListTaskDrawsEightToTwelveDigitsForPromptsAndDemonstrations()
    {
        var prompts = SortingTask.Prompts(500, 7, SortingTaskShape.LongLists);
        Assert.All(prompts, p => Assert.InRange(p.Digits.Length, 8, 12));
        Assert.Equal(Enumerable.Range(8, 5), prompts.Select(p => p.Digits.Length).Distinct().Order());
        Assert.Equal(14, SortingTaskShape.LongLists.MaxNewTokens);
        Assert.Equal(10, SortingTaskShape.Standard.MaxNewTokens);

        var corpus = new NoisySortingCorpus(3, SortingTaskShape.LongLists);
        var demonstrations = Enumerable.Range(0, 2000).Select(_ => corpus.Next()).ToArray();
        Assert.All(demonstrations, d => Assert.InRange(SortingTask.ParseDigits(d.Prompt).Length, 8, 12));
        // Responses stay within the sampler's 14 new tokens (12 digits plus at most two insertions), EOS excluded.
        Assert.All(demonstrations, d => Assert.InRange(d.Response.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, 0, 14));
    }

    [Fact]
    public void TheStandardCorpusIsUnchangedByTheShapeParameter()
    {
        var before = new NoisySortingCorpus(11);
        var after = new NoisySortingCorpus(11, SortingTaskShape.Standard);
        Assert.Equal(Enumerable.Range(0, 500).Select(_ => before.Next()), Enumerable.Range(0, 500).Select(_ => after.Next()));
        Assert.Equal(SortingTask.Prompts(50, 7).Select(p => p.Text), SortingTask.Prompts(50, 7, SortingTaskShape.Standard).Select(p => p.Text));
        Assert.Equal(SortingTaskShape.LongLists, SortingTaskShape.Parse("sorting-long"));
        Assert.Throws<FormatException>(() => SortingTaskShape.Parse("sorting-huge"));
    }
}
