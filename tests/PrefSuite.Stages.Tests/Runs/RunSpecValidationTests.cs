using PrefSuite.Contracts.V1;
using PrefSuite.Science.Demo;
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
        var prompts = RunSpecValidation.Prompts(spec).ToList();
        Assert.Equal(count, prompts.Count);
        Assert.Equal(count, RunDefinition.PromptCount(spec));
        Assert.Equal(count, prompts.Select(p => p.PromptId).Distinct().Count());

        // The per-call limit still holds for the Sample RPC itself.
        var call = Assert.Throws<InvalidRequestException>(() => SamplingStage.Validate(prompts, spec.Sampling));
        Assert.Equal("prompts", call.Field);
        Assert.Contains($"at most {SamplingStage.MaxPromptsPerCall} per call", call.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DemoPromptsStayACountAndASeedAndAreMadeAsTheyAreRead()
    {
        var spec = RunSpecValidation.Normalize(new RunSpec { DemoPrompts = 300, DemoSeed = 17, Sampling = new SamplingParams { N = 4 } }, TimeProvider.System);
        Assert.Empty(spec.Prompts);
        var expected = SortingTask.Prompts(300, 17).Select(p => (p.Id, p.Text)).ToArray();
        Assert.Equal(expected, RunSpecValidation.Prompts(spec).Select(p => (p.PromptId, p.Text)).ToArray());

        // A spec with prompts of its own uses them, demo count or not.
        var own = new RunSpec { DemoPrompts = 300, Sampling = new SamplingParams { N = 4 } };
        own.Prompts.Add(new Prompt { PromptId = "a", Text = "sort 2 1 =" });
        own = RunSpecValidation.Normalize(own, TimeProvider.System);
        Assert.Equal(["a"], RunSpecValidation.Prompts(own).Select(p => p.PromptId));
        Assert.Equal(1, RunDefinition.PromptCount(own));
    }

    [Fact]
    public void PromptsSentApartAreCheckedAsTheyAreReadOnceWithTheSameRulesAndErrors()
    {
        var settings = new RunSpec { Sampling = new SamplingParams { N = 4 }, FreshPrompts = true, Rounds = 2, Training = new TrainOptions() };
        var reads = 0;
        IEnumerable<Prompt> Prompts(params string[] texts)
        {
            reads++;
            for (var i = 0; i < texts.Length; i++)
            {
                yield return new Prompt { PromptId = texts[i].Length == 0 ? "" : $"p{i % 3}", Text = texts[i] };
            }
        }

        var spec = RunSpecValidation.Normalize(settings.Clone(), Prompts("sort 2 1 =", "sort 3 1 ="), TimeProvider.System);
        Assert.Equal(1, reads);
        Assert.Equal(SamplingStage.DefaultMaxNewTokens, spec.Sampling.MaxNewTokens); // defaults filled as for a spec's own prompts
        Assert.Empty(spec.Prompts);
        Assert.False(string.IsNullOrEmpty(spec.RunId));

        Assert.Equal("prompts[3].prompt_id", Assert.Throws<InvalidRequestException>(() =>
            RunSpecValidation.Normalize(settings.Clone(), Prompts("a", "b", "c", "d"), TimeProvider.System)).Field); // p0 again
        Assert.Equal("prompts[1].prompt_id", Assert.Throws<InvalidRequestException>(() =>
            RunSpecValidation.Normalize(settings.Clone(), Prompts("a", ""), TimeProvider.System)).Field);
        Assert.Equal("prompts", Assert.Throws<InvalidRequestException>(() =>
            RunSpecValidation.Normalize(settings.Clone(), Prompts(), TimeProvider.System)).Field);
        Assert.Equal("fresh_prompts", Assert.Throws<InvalidRequestException>(() =>
            RunSpecValidation.Normalize(settings.Clone(), Prompts("a"), TimeProvider.System)).Field); // counted from the stream
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
