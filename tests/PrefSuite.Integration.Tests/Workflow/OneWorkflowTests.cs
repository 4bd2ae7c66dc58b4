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

/// <summary>The run is defined once: `prefsuite run` (in process) and the stack (RabbitMQ) give the same pairs for the same seeds.</summary>
[Collection("servers")]
public sealed class OneWorkflowTests(Servers servers) : StackTest(servers)
{
    [Fact]
    public async Task AnEmbeddedRunAndAStackRunWithTheSameSeedsWriteIdenticalPairs()
    {
        var stack = Stack;
        using (var policies = new PolicyStore(new FileArtifactStore(stack.Artifacts)))
        using (var policy = PolicyModel.Create(new PolicyConfig { Layers = 1, Width = 32, Heads = 2, Context = 64 }, 11))
        {
            await policies.SetAliasAsync(JobIds.DefaultPolicyAlias, await policies.RegisterAsync(policy, "init"));
        }

        // 70 prompts: more than one sampling batch (32), so batching differs between the two transports.
        var config = new RunConfig
        {
            RunId = "embedded",
            RunsDir = stack.Artifacts,
            Prompts = 70,
            Samples = 6,
            Seed = 5,
            Train = false,
            Scorers = ["simulated:sorting?noise=0.1&seed=3"],
        };
        var embedded = await EmbeddedRunner.RunAsync(config, new Progress<PipelineProgress>(), CancellationToken.None);
        Assert.Equal(RunState.Succeeded, embedded.State);

        var spec = config.ToSpec();
        spec.RunId = "stack";
        var pipeline = new PipelineClient(stack.Channel("pipeline"));
        await pipeline.SubmitRunAsync(spec, deadline: DateTime.UtcNow.AddSeconds(30));
        Run? last = null;
        using (var watch = pipeline.WatchRun(new RunRequest { RunId = "stack" }, deadline: DateTime.UtcNow.AddMinutes(5)))
        {
            await foreach (var change in watch.ResponseStream.ReadAllAsync())
            {
                last = change.Run;
            }
        }

        Assert.Equal(RunState.Succeeded, last?.State);
        Assert.Equal(embedded.Selection, last!.Selection);
        var embeddedPairs = await File.ReadAllTextAsync(Path.Combine(stack.Artifacts, "runs", "embedded", "pairs.jsonl"));
        var stackPairs = await File.ReadAllTextAsync(Path.Combine(stack.Artifacts, "runs", "stack", "pairs.jsonl"));
        Assert.Equal(70, embeddedPairs.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(embeddedPairs, stackPairs);
        Assert.Equal(
            await File.ReadAllTextAsync(Path.Combine(stack.Artifacts, "runs", "embedded", "samples.jsonl")),
            await File.ReadAllTextAsync(Path.Combine(stack.Artifacts, "runs", "stack", "samples.jsonl")));
    }
}
