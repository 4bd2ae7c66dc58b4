using System.CommandLine;
using PrefSuite.Cli.Runs;
using PrefSuite.Contracts.V1;

namespace PrefSuite.Cli.Tests;

public class LossConstantsTests
{
    [Fact]
    public void ConfigKeysOfZeroReachTheTrainingRequestAsZero()
    {
        using var cli = new CliHarness();
        var config = RunConfig.Load(cli.Write("run.yaml", """
            epsilon: 0
            alpha: 0
            ml_rdpo_lambda: 0
            beta1: 2
            losses: "robust:1,sft:0"
            """));
        var training = config.ToSpec().Training;
        Assert.True(training.HasEpsilon && training.HasAlpha && training.HasMlRdpoLambda && training.HasBeta1);
        Assert.Equal((0.0, 0.0, 0.0, 2.0), (training.Epsilon, training.Alpha, training.MlRdpoLambda, training.Beta1));
        Assert.Equal([(LossKind.Robust, 1.0), (LossKind.Sft, 0.0)], training.Losses.Select(t => (t.Kind, t.Weight)));
        Assert.All(training.Losses, t => Assert.True(t.HasWeight));
    }

    [Fact]
    public void AbsentKeysLeaveTheFieldsUnsetForTheTrainersDefaults()
    {
        using var cli = new CliHarness();
        var training = RunConfig.Load(cli.Write("run.json", """{"losses": "ml-rdpo"}""")).ToSpec().Training;
        Assert.False(training.HasEpsilon || training.HasAlpha || training.HasMlRdpoLambda || training.HasBeta1);
        var trained = Stages.Training.TrainingJobRunner.PreferenceOptions(training);
        Assert.Equal((0.1, 1.0, 5.0, 1.0), (trained.Loss.Epsilon, trained.Loss.Alpha, trained.Loss.Beta1, trained.Loss.Lambda));
    }

    [Theory]
    [InlineData("epsilon: -0.1", "epsilon")]
    [InlineData("epsilon: 0.5", "epsilon")]
    [InlineData("alpha: -1", "alpha")]
    [InlineData("beta1: 0", "beta1")]
    [InlineData("ml_rdpo_lambda: -2", "ml_rdpo_lambda")]
    [InlineData("losses: \"sigmoid,sft:-1\"", "losses")]
    public void MeaninglessValuesInAConfigAreRefusedNamingTheKey(string line, string key)
    {
        using var cli = new CliHarness();
        var path = cli.Write("run.yaml", line + "\n");
        var error = Assert.Throws<ArgumentException>(() => RunConfig.Load(path));
        Assert.StartsWith($"{path}: {key}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RunFlagsOfZeroReachTheTrainingRequestAsZero()
    {
        var flags = RunFlags.All();
        var command = new RootCommand();
        foreach (var flag in flags)
        {
            command.Options.Add(flag.Option);
        }

        var parse = command.Parse(["--epsilon", "0", "--alpha", "0", "--ml-rdpo-lambda", "0", "--beta1", "3", "--loss", "sigmoid:0,sft:1"]);
        Assert.Empty(parse.Errors);
        var config = flags.Aggregate(new RunConfig(), (c, f) => f.Apply(parse, c)).Validate("options");
        var training = config.ToSpec().Training;
        Assert.Equal((0.0, 0.0, 0.0, 3.0), (training.Epsilon, training.Alpha, training.MlRdpoLambda, training.Beta1));
        Assert.True(training.HasEpsilon && training.HasAlpha && training.HasMlRdpoLambda);
        Assert.Equal([0.0, 1.0], training.Losses.Select(t => t.Weight));

        var negative = command.Parse(["--ml-rdpo-lambda", "-1"]);
        var error = Assert.Throws<ArgumentException>(() => flags.Aggregate(new RunConfig(), (c, f) => f.Apply(negative, c)).Validate("options"));
        Assert.StartsWith("options: ml_rdpo_lambda must not be negative", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--epsilon", "-0.1")]
    [InlineData("--alpha", "-1")]
    [InlineData("--beta1", "0")]
    [InlineData("--ml-rdpo-lambda", "-1")]
    [InlineData("--beta", "-0.1")]
    public async Task TrainRefusesAMeaninglessConstantNamingTheFlag(string flag, string value)
    {
        using var cli = new CliHarness();
        var (code, _, error) = await cli.RunAsync("train", "--runs-dir", cli.PathOf("runs"), "--pairs", cli.PathOf("none.jsonl"), flag, value);
        Assert.Equal(2, code);
        Assert.Contains($"{flag}: must", error, StringComparison.Ordinal);
    }
}
