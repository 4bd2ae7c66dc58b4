using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Runs;
using PrefSuite.Stages.Sampling;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Tests.Runs;

public sealed class RunSpecValidationTests
{
    [Fact]
    public void ARunMayHoldMorePromptsThanOneSampleCall()
    {
        var count = SamplingStage.MaxPromptsPerCall + 476;
        var spec = RunSpecValidation.Normalize(new RunSpec { DemoPrompts = count, Sampling = new SamplingParams { N = 4 } }, TimeProvider.System);
        Assert.Equal(count, spec.Prompts.Count);
        Assert.Equal(count, spec.Prompts.Select(p => p.PromptId).Distinct().Count());

        // The per-call limit still holds for the Sample RPC itself.
        var call = Assert.Throws<InvalidRequestException>(() => SamplingStage.Validate(spec.Prompts, spec.Sampling));
        Assert.Equal("prompts", call.Field);
        Assert.Contains($"at most {SamplingStage.MaxPromptsPerCall} per call", call.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TooManyPromptsForARunAreRefusedBeforeAnyIsMade()
    {
        var error = Assert.Throws<InvalidRequestException>(() =>
            RunSpecValidation.Normalize(new RunSpec { DemoPrompts = RunSpecValidation.MaxPrompts + 1, Sampling = new SamplingParams { N = 4 } }, TimeProvider.System));
        Assert.Equal("demo_prompts", error.Field);
        Assert.Contains("at most 1000000 per run", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARunWithAMeaninglessLossConstantIsRefusedAtSubmissionNamingTheField()
    {
        var training = new TrainOptions { Epsilon = 0 };
        training.Losses.Add(new LossTerm { Kind = LossKind.Robust, Weight = 0 });
        var spec = RunSpecValidation.Normalize(new RunSpec { DemoPrompts = 3, Sampling = new SamplingParams { N = 4 }, Training = training }, TimeProvider.System);
        Assert.True(spec.Training.HasEpsilon);

        var error = Assert.Throws<InvalidRequestException>(() =>
            RunSpecValidation.Normalize(new RunSpec { DemoPrompts = 3, Sampling = new SamplingParams { N = 4 }, Training = new TrainOptions { MlRdpoLambda = -1 } }, TimeProvider.System));
        Assert.Equal("training.ml_rdpo_lambda", error.Field);
    }
}
