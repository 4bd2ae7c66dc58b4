using PrefSuite.Models.Policy;
using PrefSuite.Models.Rewards;
using static TorchSharp.torch;

namespace PrefSuite.Models.Tests.Rewards;

public class ImplicitRewardScorerTests
{
    [Fact]
    public async Task ImplicitRewardIsBetaTimesTheLogRatio()
    {
        using var policy = PolicyModel.Create(new PolicyConfig { Layers = 1, Width = 16, Heads = 2 }, 1, CPU);
        using var reference = PolicyModel.Create(new PolicyConfig { Layers = 1, Width = 16, Heads = 2 }, 2, CPU);
        var scorer = new ImplicitRewardScorer(policy, reference, beta: 0.5);
        var vectors = await scorer.ScoreAsync([new ScoringItem("sort 2 1 =", "1 2")]);
        var expected = 0.5 * (ResponseLogProbs.Compute(policy, ["sort 2 1 ="], ["1 2"])[0] - ResponseLogProbs.Compute(reference, ["sort 2 1 ="], ["1 2"])[0]);
        Assert.Equal(expected, vectors[0].Reward, 10);
        Assert.Equal(expected, vectors[0].Heads["implicit"], 10);

        var self = await new ImplicitRewardScorer(policy, policy).ScoreAsync([new ScoringItem("sort 2 1 =", "1 2")]);
        Assert.Equal(0, self[0].Reward, 10);
    }

    [Fact]
    public async Task ProgrammaticRewardsComeFromTheRegistry()
    {
        var scorer = new ProgrammaticRewardScorer(ProgrammaticRewards.Get("sorting"));
        var vectors = await scorer.ScoreAsync([new ScoringItem("sort 2 1 =", "1 2"), new ScoringItem("sort 2 1 =", "1 2", Ended: false)]);
        Assert.Equal([1.0, 0.5], vectors.Select(v => v.Reward));
        Assert.Throws<KeyNotFoundException>(() => ProgrammaticRewards.Get("nope"));
    }
}
