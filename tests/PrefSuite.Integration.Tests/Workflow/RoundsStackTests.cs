using Grpc.Core;
using PrefSuite.Cli.Runs;
using PrefSuite.Contracts.V1;
using PrefSuite.Integration.Tests.Infrastructure;
using PrefSuite.Models.Policy;
using PrefSuite.Stages.Storage;
using PrefSuite.Storage;
using PrefSuite.Workflow;
using PipelineClient = PrefSuite.Contracts.V1.PipelineService.PipelineServiceClient;

namespace PrefSuite.Integration.Tests.Workflow;

/// <summary>Iterative rounds are part of the one workflow: the stack runs them as `prefsuite run` does.</summary>
[Collection("servers")]
public sealed class RoundsStackTests(Servers servers) : StackTest(servers)
{
    [Fact]
    public async Task TheStackRunsTwoRoundsAndTheSecondSamplesWithTheFirstRoundsPolicy()
    {
        var stack = Stack;
        var store = new FileArtifactStore(stack.Artifacts);
        using (var policies = new PolicyStore(store))
        using (var policy = PolicyModel.Create(new PolicyConfig { Layers = 1, Width = 32, Heads = 2, Context = 64 }, 11))
        {
            await policies.SetAliasAsync(JobIds.DefaultPolicyAlias, await policies.RegisterAsync(policy, "init"));
        }

        var config = new RunConfig
        {
            RunId = "embedded-rounds",
            RunsDir = stack.Artifacts,
            Prompts = 10,
            Samples = 4,
            Seed = 5,
            Epochs = 2,
            BatchSize = 5,
            LearningRate = 0.01,
            EvaluationPrompts = 0,
            Rounds = 2,
            Scorers = ["simulated:sorting?noise=0.1&seed=3"],
        };
        var embedded = await EmbeddedRunner.RunAsync(config, new Progress<PipelineProgress>(), CancellationToken.None);
        Assert.Equal(RunState.Succeeded, embedded.State);

        var spec = config.ToSpec();
        spec.RunId = "stack-rounds";
        var pipeline = new PipelineClient(stack.Channel("pipeline"));
        await pipeline.SubmitRunAsync(spec, deadline: DateTime.UtcNow.AddSeconds(30));
        Run? last = null;
        var messages = new List<string>();
        using (var watch = pipeline.WatchRun(new RunRequest { RunId = "stack-rounds" }, deadline: DateTime.UtcNow.AddMinutes(5)))
        {
            await foreach (var change in watch.ResponseStream.ReadAllAsync())
            {
                last = change.Run;
                messages.Add(change.Message);
            }
        }

        Assert.True(last?.State == RunState.Succeeded, $"{last?.State}: {last?.Error}; {string.Join(" | ", messages.TakeLast(5))}");
        Assert.Equal(2, last!.Rounds.Count);
        Assert.Equal(last.Rounds[0].CheckpointVersion, last.Rounds[1].Policy);
        Assert.Equal(last.Rounds[1].CheckpointVersion, last.CheckpointVersion);
        Assert.Contains(messages, m => m.StartsWith("round 2 of 2", StringComparison.Ordinal));
        Assert.Empty(last.DeadLetters);
        Assert.All(last.Stages.Where(s => s.Stage is "sample" or "select"), s => Assert.Equal((10, 10), (s.Done, s.Total)));
        var request = TrainRequest.Parser.ParseFrom(await store.ReadAsync(ArtifactPaths.JobRequest("stack-rounds@2/train")));
        Assert.Equal(last.Rounds[0].CheckpointVersion, request.BasePolicy.Checkpoint);

        // The export is of the last round; both rounds' pairs are in the store.
        var export = pipeline.ExportRun(new ExportRunRequest { RunId = "stack-rounds", What = "pairs" });
        var bytes = new List<byte>();
        await foreach (var chunk in export.ResponseStream.ReadAllAsync())
        {
            bytes.AddRange(chunk.Data);
        }

        var roundTwoPairs = await File.ReadAllTextAsync(Path.Combine(stack.Artifacts, "runs", "stack-rounds", "rounds", "2", "pairs.jsonl"));
        Assert.Equal(roundTwoPairs, System.Text.Encoding.UTF8.GetString([.. bytes]));
        Assert.True(File.Exists(Path.Combine(stack.Artifacts, "runs", "stack-rounds", "pairs.jsonl")));

        // The same workflow in process and on the stack: the same checkpoints and pairs, round by round.
        Assert.Equal(embedded.Rounds.Select(r => (r.Policy, r.CheckpointVersion, r.Pairs)), last.Rounds.Select(r => (r.Policy, r.CheckpointVersion, r.Pairs)));
        Assert.Equal(
            await File.ReadAllTextAsync(Path.Combine(stack.Artifacts, "runs", "embedded-rounds", "rounds", "2", "pairs.jsonl")),
            roundTwoPairs);
    }

    [Fact]
    public async Task TheStackWarmsEachRoundUpForImplicitMarginsBeforeItsFinalSelection()
    {
        var stack = Stack;
        var store = new FileArtifactStore(stack.Artifacts);
        using (var policies = new PolicyStore(store))
        using (var policy = PolicyModel.Create(new PolicyConfig { Layers = 1, Width = 32, Heads = 2, Context = 64 }, 11))
        {
            await policies.SetAliasAsync(JobIds.DefaultPolicyAlias, await policies.RegisterAsync(policy, "init"));
        }

        var spec = new RunConfig
        {
            RunId = "stack-warmup",
            Prompts = 20,
            Samples = 4,
            Seed = 5,
            Epochs = 1,
            BatchSize = 5,
            EvaluationPrompts = 0,
            Rounds = 2,
            ImplicitWarmup = 0.5,
        }.ToSpec();
        var pipeline = new PipelineClient(stack.Channel("pipeline"));
        await pipeline.SubmitRunAsync(spec, deadline: DateTime.UtcNow.AddSeconds(30));
        Run? last = null;
        using (var watch = pipeline.WatchRun(new RunRequest { RunId = "stack-warmup" }, deadline: DateTime.UtcNow.AddMinutes(5)))
        {
            await foreach (var change in watch.ResponseStream.ReadAllAsync())
            {
                last = change.Run;
            }
        }

        Assert.True(last?.State == RunState.Succeeded, $"{last?.State}: {last?.Error}");
        Assert.Equal(2, last!.Rounds.Count);
        Assert.All(last.Rounds, r => Assert.False(string.IsNullOrEmpty(r.WarmupCheckpoint)));
        Assert.Equal(last.Rounds[0].CheckpointVersion, last.Rounds[1].Policy);
        var warmup = TrainRequest.Parser.ParseFrom(await store.ReadAsync(ArtifactPaths.JobRequest(JobIds.Warmup("stack-warmup@2"))));
        Assert.Equal((last.Rounds[0].CheckpointVersion, 0.5, true), (warmup.BasePolicy.Checkpoint, warmup.SubsetFraction, warmup.ImplicitWarmup));
        foreach (var folder in new[] { Path.Combine(stack.Artifacts, "runs", "stack-warmup"), Path.Combine(stack.Artifacts, "runs", "stack-warmup", "rounds", "2") })
        {
            var pairs = await File.ReadAllLinesAsync(Path.Combine(folder, "pairs.jsonl"));
            Assert.Equal(2, pairs.Length); // 10% of 20 candidates, kept by the aggregated probability
            Assert.All(pairs, p => Assert.Contains("\"implicit_margin\":", p, StringComparison.Ordinal));
        }
    }
}
