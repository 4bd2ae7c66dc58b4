using Microsoft.Extensions.Logging.Abstractions;
using PrefSuite.Contracts.V1;
using PrefSuite.Models.Policy;
using PrefSuite.Stages.Storage;
using PrefSuite.Stages.Training;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Tests.Training;

public class TrainingJobsTests
{
    private static TrainRequest Sft(string id, int steps) => new() { JobId = id, DemoSft = true, Options = new TrainOptions { Steps = steps, BatchSize = 8, WarmupSteps = 1 } };

    [Fact]
    public async Task JobsRunOneAtATimeReportProgressAndCanBeCancelled()
    {
        using var temp = new TempStore();
        using var policies = new PolicyStore(temp.Store);
        var jobs = new TrainingJobs(policies, temp.Store, NullLogger<TrainingJobs>.Instance);
        using var stop = new CancellationTokenSource();

        // Queued before the worker starts: a 5-step job can finish before the next StartAsync returns.
        await jobs.StartAsync(Sft("first", 5));
        var second = await jobs.StartAsync(Sft("second", 100_000));
        var third = await jobs.StartAsync(Sft("third", 5));
        Assert.Equal((JobState.Queued, JobState.Queued), (second.State, third.State));
        var worker = jobs.RunAsync(stop.Token);

        // The long job reports progress while it runs; the one behind it waits; a cancel ends it.
        var progress = new List<TrainProgress>();
        var cancelled = false;
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a missed cancel fails instead of training for hours
        await foreach (var p in jobs.WatchAsync("second", limit.Token))
        {
            progress.Add(p);

            // Once, at the first report from step 3 on (the watch may skip reports, so no exact count is waited for).
            if (!cancelled && p.State == JobState.Running && p.Step >= 3)
            {
                Assert.Equal(JobState.Succeeded, jobs.Get("first")!.State);
                Assert.Equal(JobState.Queued, jobs.Get("third")!.State);
                jobs.Cancel("second");
                cancelled = true;
            }
        }

        Assert.Equal(JobState.Cancelled, progress[^1].State);
        Assert.Contains(progress, p => p.State == JobState.Running && p.Loss > 0);
        Assert.Equal(JobState.Succeeded, (await jobs.CompletionAsync("third")).State);
        var done = await jobs.CompletionAsync("first");
        Assert.True(await policies.Artifacts.ExistsAsync(ArtifactPaths.Policy(done.CheckpointVersion)));

        // Idempotent by id, also after a restart: the finished job is read back, not run again.
        Assert.Equal(done.CheckpointVersion, (await jobs.StartAsync(Sft("first", 5))).CheckpointVersion);
        var restarted = new TrainingJobs(policies, temp.Store, NullLogger<TrainingJobs>.Instance);
        var again = await restarted.StartAsync(Sft("first", 5));
        Assert.Equal((JobState.Succeeded, done.CheckpointVersion), (again.State, again.CheckpointVersion));

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => worker);
    }

    [Fact]
    public async Task ABadJobEndsFailedAndTheWorkerGoesOnWithTheNext()
    {
        using var temp = new TempStore();
        using var policies = new PolicyStore(temp.Store);
        var jobs = new TrainingJobs(policies, temp.Store, NullLogger<TrainingJobs>.Instance);
        using var stop = new CancellationTokenSource();
        var worker = jobs.RunAsync(stop.Token);
        await temp.Store.WriteAsync("runs/x/pairs.jsonl", "this is not JSON lines\n"u8.ToArray());
        var version = await policies.RegisterAsync(PolicyModel.Create(new PolicyConfig { Layers = 1, Width = 16, Heads = 2, Context = 32 }, 2), "init");

        await jobs.StartAsync(new TrainRequest { JobId = "bad", DatasetArtifact = "runs/x/pairs.jsonl", BasePolicy = new PolicyRef { Checkpoint = version } });
        await jobs.StartAsync(Sft("next", 3));
        var bad = await jobs.CompletionAsync("bad").WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(JobState.Failed, bad.State);
        Assert.Contains("pairs.jsonl", bad.Error, StringComparison.Ordinal);
        Assert.Equal(JobState.Succeeded, (await jobs.CompletionAsync("next").WaitAsync(TimeSpan.FromMinutes(2))).State);
        Assert.False(worker.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => worker);
    }

    [Fact]
    public async Task AJobWithoutDataIsRefused()
    {
        using var temp = new TempStore();
        using var policies = new PolicyStore(temp.Store);
        var jobs = new TrainingJobs(policies, temp.Store, NullLogger<TrainingJobs>.Instance);
        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => jobs.StartAsync(new TrainRequest { JobId = "j" }));
        Assert.Equal("pairs", error.Field);
    }
}
