using Grpc.Core;
using PrefSuite.Contracts.V1;
using PrefSuite.Integration.Tests.Infrastructure;
using PrefSuite.Stages.Storage;
using PrefSuite.Storage;
using PrefSuite.Workflow;
using PipelineClient = PrefSuite.Contracts.V1.PipelineService.PipelineServiceClient;

namespace PrefSuite.Integration.Tests.Stack;

/// <summary>The stack with its artifacts in Azure Blob Storage (Azurite): what a cloud deployment runs, with no shared volume.</summary>
[Collection("servers")]
public sealed class BlobStackTests(Servers servers)
{
    [Fact]
    public async Task ARunKeepsEveryArtifactInAzureBlobStorageWithoutASharedFolder()
    {
        var container = "stack" + Guid.NewGuid().ToString("N")[..10];
        var store = await AzureBlobArtifactStore.CreateAsync(servers.Artifacts, container);
        using (var policies = new PolicyStore(store, Path.Combine(Path.GetTempPath(), "prefsuite-seed-" + container)))
        using (var policy = Models.Policy.PolicyModel.Create(new Models.Policy.PolicyConfig { Layers = 1, Width = 32, Heads = 2, Context = 64 }, 5))
        {
            await policies.SetAliasAsync(JobIds.DefaultPolicyAlias, await policies.RegisterAsync(policy, "init"));
        }

        await servers.ResetQueuesAsync();
        await using var blobStack = await Infrastructure.Stack.StartAsync(servers, blobContainer: container);
        var pipeline = new PipelineClient(blobStack.Channel("pipeline"));
        var spec = new RunSpec
        {
            RunId = "blob-run",
            DemoPrompts = 10,
            Sampling = new SamplingParams { N = 4, Seed = 2, Temperature = 1 },
            Training = new TrainOptions { Epochs = 1, BatchSize = 4 },
        };
        await pipeline.SubmitRunAsync(spec, deadline: DateTime.UtcNow.AddSeconds(30));
        Run? last = null;
        using (var watch = pipeline.WatchRun(new RunRequest { RunId = "blob-run" }, deadline: DateTime.UtcNow.AddMinutes(5)))
        {
            await foreach (var change in watch.ResponseStream.ReadAllAsync())
            {
                last = change.Run;
            }
        }

        Assert.True(last?.State == RunState.Succeeded, $"{last?.State}: {last?.Error}; {last?.Selection}; {last?.DeadLetterCount} failed");
        Assert.True(await store.ExistsAsync(ArtifactPaths.Policy(last!.CheckpointVersion)), "the trained checkpoint was not uploaded");
        Assert.Equal(last.Selection.Kept, System.Text.Encoding.UTF8.GetString((await store.ReadAsync(ArtifactPaths.Pairs("blob-run")))!).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.NotEmpty(await store.ListAsync(ArtifactPaths.LedgerFolder("blob-run")).ToListAsync());
        Assert.False(Directory.Exists(Path.Combine(blobStack.Artifacts, "runs")), "a service wrote runs to the local folder");
    }
}
