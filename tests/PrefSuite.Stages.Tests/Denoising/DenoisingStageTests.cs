using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Denoising;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Tests.Denoising;

public class DenoisingStageTests
{
    [Fact]
    public void OneRewardSourceIsConsistentByConstructionAndKept()
    {
        var unit = Units.Scored("r", "p", 0.9, 0.1, 0.5, 0.3);
        var denoised = DenoisingStage.DenoiseUnit(unit);
        Assert.Equal(unit.Responses.Select(r => r.Reward.Reward), denoised.Responses.Select(r => r.DenoisedReward));
        Assert.Equal((2, 0), (denoised.Denoise.Rank, denoised.Denoise.Flagged));
    }

    [Fact]
    public void ADisagreeingHeadIsOutvoted()
    {
        // Five heads agree on the order 0 > 1 > 2 > 3 > 4 > 5 except that one head swaps responses 0 and 5.
        var unit = new PromptUnit { RunId = "r", Prompt = new Prompt { PromptId = "p", Text = "q" } };
        double[] truth = [1.0, 0.8, 0.6, 0.4, 0.2, 0.0];
        for (var i = 0; i < truth.Length; i++)
        {
            var vector = new RewardVector { ScorerId = "heads", Reward = truth[i] };
            for (var h = 0; h < 5; h++)
            {
                vector.Heads[$"h{h}"] = h == 0 && i is 0 or 5 ? truth[5 - i] : truth[i];
            }

            unit.Responses.Add(new Response { Text = $"r{i}", Reward = vector });
        }

        var denoised = DenoisingStage.DenoiseUnit(unit);
        var order = denoised.Responses.Select((r, i) => (r.DenoisedReward, i)).OrderByDescending(x => x.DenoisedReward).Select(x => x.i);
        Assert.Equal([0, 1, 2, 3, 4, 5], order);
        Assert.True(denoised.Denoise.Flagged > 0);

        // The denoised rewards are in the combined reward's units (a Theil–Sen fit): they span about its range.
        var rewards = denoised.Responses.Select(r => r.DenoisedReward).ToArray();
        Assert.InRange(rewards.Max() - rewards.Min(), 0.5, 1.5);
    }

    [Fact]
    public void HeadsThatAgreeLeaveTheRewardsAndTheSweetSpotPairUnchanged()
    {
        // Three heads that are increasing affine maps of one another: consistent, nothing to denoise. (Averaging raw
        // differences and running robust PCA on that rank-2 matrix used to move the rewards and change pairs.)
        var unit = new PromptUnit { RunId = "r", Prompt = new Prompt { PromptId = "p", Text = "q" } };
        double[] truth = [0.05, 0.9, 0.3, 0.31, 0.7, 0.2, 0.99, 0.5];
        for (var i = 0; i < truth.Length; i++)
        {
            var vector = new RewardVector { ScorerId = "heads", Reward = truth[i] };
            vector.Heads["a"] = truth[i];
            vector.Heads["b"] = (5 * truth[i]) + 1;
            vector.Heads["c"] = (0.1 * truth[i]) - 3;
            unit.Responses.Add(new Response { Text = $"r{i}", Reward = vector });
        }

        var denoised = DenoisingStage.DenoiseUnit(unit);
        Assert.Equal(truth, denoised.Responses.Select(r => r.DenoisedReward));
        Assert.Equal((2, 0, 1.0), (denoised.Denoise.Rank, denoised.Denoise.Flagged, denoised.Denoise.KendallTau));
    }

    [Fact]
    public void MatricesAreValidatedByField()
    {
        var matrix = new Matrix { Rows = 2, Columns = 2 };
        matrix.Values.Add([0, 1, 2]);
        Assert.Equal("matrix.values", Assert.Throws<InvalidRequestException>(() => DenoisingStage.Denoise(new DenoiseRequest { Matrix = matrix })).Field);
        Assert.Equal("responses[0].reward", Assert.Throws<InvalidRequestException>(() => DenoisingStage.DenoiseUnit(new PromptUnit { Responses = { new Response(), new Response() } })).Field);
    }
}
