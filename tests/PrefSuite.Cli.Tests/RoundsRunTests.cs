using PrefSuite.Contracts.V1;
using PrefSuite.Models.Policy;
using PrefSuite.Stages.Sampling;
using PrefSuite.Stages.Storage;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Cli.Tests;

public class RoundsRunTests
{
    [Fact]
    public async Task ASecondRoundSamplesWithTheFirstRoundsPolicyAndTrainsAgainstIt()
    {
        using var cli = new CliHarness();
        var runs = cli.PathOf("runs");
        var store = new FileArtifactStore(runs);
        using (var policies = new PolicyStore(store))
        using (var policy = PolicyModel.Create(new PolicyConfig { Layers = 1, Width = 32, Heads = 2, Context = 64 }, 11))
        {
            await policies.SetAliasAsync(JobIds.DefaultPolicyAlias, await policies.RegisterAsync(policy, "init"));
        }

        var (code, output, error) = await cli.RunAsync(
            "run", "--runs-dir", runs, "--run-id", "it", "--prompts", "8", "--samples", "4", "--evaluation-prompts", "0",
            "--epochs", "4", "--batch-size", "4", "--lr", "0.01", "--rounds", "2", "--quiet");
        Assert.True(code == 0, error + output);

        var run = Run.Parser.ParseFrom(await store.ReadAsync(ArtifactPaths.Run("it")));
        Assert.Equal((RunState.Succeeded, 2, 2), (run.State, run.Round, run.Rounds.Count));
        var (first, second) = (run.Rounds[0], run.Rounds[1]);
        Assert.NotEqual(first.Policy, first.CheckpointVersion);
        Assert.Equal(first.CheckpointVersion, second.Policy); // round 2 sampled with round 1's policy …
        Assert.Equal(second.CheckpointVersion, run.CheckpointVersion);
        Assert.All(run.Rounds, r => Assert.True(r.Pairs > 0 && double.IsFinite(r.TrainingLoss) && double.IsFinite(r.MeanChosenReward), r.ToString()));
        Assert.Contains("round 2: sampled 8 prompts with " + first.CheckpointVersion, output, StringComparison.Ordinal);

        // … and trained from it, which the trainer freezes as the reference.
        var request = TrainRequest.Parser.ParseFrom(await store.ReadAsync(ArtifactPaths.JobRequest(JobIds.Training(new RunRound("it", 2).ToString()))));
        Assert.Equal((first.CheckpointVersion, "runs/it/rounds/2/pairs.jsonl"), (request.BasePolicy.Checkpoint, request.DatasetArtifact));
        Assert.Equal(second.DatasetArtifact, request.DatasetArtifact);

        // Round 2's stored samples are exactly what round 1's checkpoint samples for those prompts (and not round 1's samples).
        var roundOne = await UnitsAsync(store, "it");
        var roundTwo = await UnitsAsync(store, "it@2");
        Assert.Equal(8, roundTwo.Count);
        Assert.Equal(roundOne.Keys.Order(), roundTwo.Keys.Order());
        var spec = RunSpec.Parser.ParseFrom(await store.ReadAsync(ArtifactPaths.RunSpec("it")));
        using (var policies = new PolicyStore(store))
        {
            var stage = new SamplingStage(new PolicySampler(policies));
            var units = roundTwo.Values.Select(u => new SampleUnit { RunId = "check", Prompt = u.Prompt, Sampling = spec.Sampling, Policy = new PolicyRef { Checkpoint = first.CheckpointVersion } }).ToArray();
            var again = await stage.SampleUnitsAsync(units);
            foreach (var unit in again)
            {
                Assert.Equal(Texts(roundTwo[unit.Prompt.PromptId]), Texts(unit));
            }
        }

        Assert.Contains(roundTwo.Keys, id => !Texts(roundOne[id]).SequenceEqual(Texts(roundTwo[id])));
        Assert.True(File.Exists(Path.Combine(runs, "runs", "it", "report", "index.html")));
        Assert.Contains("<table id=\"rounds\">", await File.ReadAllTextAsync(Path.Combine(runs, "runs", "it", "report", "index.html")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnImplicitWarmupFeedsImplicitMarginsIntoTheSelection()
    {
        using var cli = new CliHarness();
        var runs = cli.PathOf("runs");
        var store = new FileArtifactStore(runs);
        using (var policies = new PolicyStore(store))
        using (var policy = PolicyModel.Create(new PolicyConfig { Layers = 1, Width = 32, Heads = 2, Context = 64 }, 11))
        {
            await policies.SetAliasAsync(JobIds.DefaultPolicyAlias, await policies.RegisterAsync(policy, "init"));
        }

        var (code, output, error) = await cli.RunAsync(
            "run", "--runs-dir", runs, "--run-id", "lim", "--prompts", "40", "--samples", "4", "--evaluation-prompts", "0",
            "--epochs", "1", "--batch-size", "4", "--lr", "0.01", "--implicit-warmup", "0.25", "--quiet");
        Assert.True(code == 0, error + output);

        var run = Run.Parser.ParseFrom(await store.ReadAsync(ArtifactPaths.Run("lim")));
        Assert.Equal(RunState.Succeeded, run.State);
        var round = Assert.Single(run.Rounds);
        Assert.NotEqual(string.Empty, round.WarmupCheckpoint);
        Assert.NotEqual(round.WarmupCheckpoint, run.CheckpointVersion);
        Assert.Contains("implicit rewards from warm-up " + round.WarmupCheckpoint, output, StringComparison.Ordinal);

        // The warm-up trained one epoch on a quarter of the 40 candidate pairs (10 pairs, batches of 4: 3 steps).
        var warmup = TrainJob.Parser.ParseFrom(await store.ReadAsync(ArtifactPaths.Job(JobIds.Warmup("lim"))));
        Assert.Equal((JobState.Succeeded, 3), (warmup.State, warmup.TotalSteps));

        // Every response has an implicit reward; the kept pairs (10% by default) carry both margins and their aggregate.
        var units = await UnitsAsync(store, "lim");
        Assert.All(units.Values.SelectMany(u => u.Responses), r => Assert.True(r.HasImplicitReward && double.IsFinite(r.ImplicitReward)));
        Assert.Contains(units.Values.SelectMany(u => u.Responses), r => r.ImplicitReward != 0);
        var pairs = (await File.ReadAllLinesAsync(Path.Combine(runs, "runs", "lim", "pairs.jsonl"))).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal((4, 4), (pairs.Length, run.Selection.Kept));
        Assert.All(pairs, p => Assert.Equal(System.Text.Json.JsonValueKind.Number, p.GetProperty("implicit_margin").ValueKind));
        Assert.All(pairs, p => Assert.Equal(System.Text.Json.JsonValueKind.Number, p.GetProperty("p_implicit").ValueKind));
    }

    [Fact]
    public async Task ARunStoppedAsItsSecondRoundBeginsResumesThereWithoutRedoingTheFirst()
    {
        using var cli = new CliHarness();
        var runs = cli.PathOf("runs");
        var store = new FileArtifactStore(runs);
        using (var policies = new PolicyStore(store))
        using (var policy = PolicyModel.Create(new PolicyConfig { Layers = 1, Width = 32, Heads = 2, Context = 64 }, 11))
        {
            await policies.SetAliasAsync(JobIds.DefaultPolicyAlias, await policies.RegisterAsync(policy, "init"));
        }

        var config = new Runs.RunConfig
        {
            RunId = "stop", RunsDir = runs, Prompts = 8, Samples = 4, EvaluationPrompts = 0, Epochs = 2, BatchSize = 4, LearningRate = 0.01, Rounds = 2,
        };
        using (var stop = new CancellationTokenSource())
        {
            var progress = new StopAt("round 2 of 2", stop);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Runs.EmbeddedRunner.RunAsync(config, progress, stop.Token));
        }

        var stopped = Run.Parser.ParseFrom(await store.ReadAsync(ArtifactPaths.Run("stop")));
        Assert.Equal((RunState.Running, 2), (stopped.State, stopped.Round));
        var firstJob = await store.ReadAsync(ArtifactPaths.Job(JobIds.Training("stop")));
        var firstUnits = Directory.GetFiles(Path.Combine(runs, "runs", "stop", "selected")).ToDictionary(f => f, File.GetLastWriteTimeUtc);

        var run = await Runs.EmbeddedRunner.RunAsync(config, new Progress<PipelineProgress>(), CancellationToken.None);
        Assert.Equal((RunState.Succeeded, 2), (run.State, run.Rounds.Count));
        Assert.Equal(run.Rounds[0].CheckpointVersion, run.Rounds[1].Policy);
        Assert.Equal(firstJob, await store.ReadAsync(ArtifactPaths.Job(JobIds.Training("stop")))); // round 1 was not trained again
        Assert.All(firstUnits, f => Assert.Equal(f.Value, File.GetLastWriteTimeUtc(f.Key))); // nor sampled again
        Assert.Equal(8, Directory.GetFiles(Path.Combine(runs, "runs", "stop", "rounds", "2", "selected")).Length);
    }

    /// <summary>Cancels the run when a progress message starts with <paramref name="message"/> (reported synchronously).</summary>
    private sealed class StopAt(string message, CancellationTokenSource stop) : IProgress<PipelineProgress>
    {
        public void Report(PipelineProgress value)
        {
            if (value.Message.StartsWith(message, StringComparison.Ordinal))
            {
                stop.Cancel();
            }
        }
    }

    private static async Task<Dictionary<string, PromptUnit>> UnitsAsync(FileArtifactStore store, string scope)
    {
        var units = new Dictionary<string, PromptUnit>(StringComparer.Ordinal);
        await foreach (var path in store.ListAsync(ArtifactPaths.SelectedUnitsFolder(scope)))
        {
            var unit = PromptUnit.Parser.ParseFrom(await store.ReadAsync(path));
            units[unit.Prompt.PromptId] = unit;
        }

        return units;
    }

    private static string[] Texts(PromptUnit unit) => [.. unit.Responses.Select(r => r.Text)];
}
