using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Runs;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Tests.Runs;

public sealed class RoundsValidationTests
{
    [Theory]
    [InlineData(2, false, false, 0.0, "rounds")]
    [InlineData(-1, true, false, 0.0, "rounds")]
    [InlineData(5, true, true, 0.0, "fresh_prompts")]
    [InlineData(1, true, false, 1.5, "implicit_warmup")]
    public void RoundsAndWarmupsThatCannotRunAreRefusedNamingTheField(int rounds, bool train, bool fresh, double warmup, string field)
    {
        var spec = new RunSpec { DemoPrompts = 4, Sampling = new SamplingParams { N = 4 }, Rounds = rounds, FreshPrompts = fresh, ImplicitWarmup = warmup, Training = train ? new TrainOptions() : null };
        var error = Assert.Throws<InvalidRequestException>(() => RunSpecValidation.Normalize(spec, TimeProvider.System));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void ATrainedRunOfFourFreshRoundsIsAccepted()
    {
        var spec = RunSpecValidation.Normalize(new RunSpec { DemoPrompts = 8, Sampling = new SamplingParams { N = 4 }, Rounds = 4, FreshPrompts = true, Training = new TrainOptions() }, TimeProvider.System);
        Assert.Equal(4, RunDefinition.Rounds(spec));
        Assert.Equal((6, 2), RunDefinition.RoundPrompts(spec, 4));
    }
}
