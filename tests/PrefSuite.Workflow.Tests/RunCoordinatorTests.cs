using Microsoft.Extensions.Time.Testing;
using PrefSuite.Contracts.V1;
using static PrefSuite.Workflow.Tests.Runs;

namespace PrefSuite.Workflow.Tests;

public class RunCoordinatorTests
{
    [Fact]
    public async Task SubmittingAcceptsTheRunAndTheLoopFansOutOneSampleUnitPerPromptOnce()
    {
        using var temp = new TempStore();
        var transport = new RecordingTransport();
        await using var coordinator = Coordinator(temp.Store, transport);

        var run = await coordinator.SubmitAsync(Spec(3));
        Assert.Empty(transport.Sent); // accepted durably, not yet sent
        Assert.Equal((RunState.Running, 3, 0), (run.State, run.PromptCount, run.Spec.Prompts.Count));
        await coordinator.PumpOnceAsync(CancellationToken.None);
        var again = await coordinator.SubmitAsync(Spec(3));
        await coordinator.PumpOnceAsync(CancellationToken.None);

        Assert.Equal(run.RunId, again.RunId);
        Assert.Equal(["r/p0/sample", "r/p1/sample", "r/p2/sample"], transport.Sent.Select(p => p.Id));
        Assert.All(transport.On<SampleUnit>(Topic.Sample), u => Assert.Equal("v1", u.Policy.Checkpoint));
        Assert.True(await temp.Store.ExistsAsync(ArtifactPaths.RunSpec("r")));
    }

    [Fact]
    public async Task ADifferentSpecUnderAnExistingRunIdIsRefusedNamingTheField()
    {
        using var temp = new TempStore();
        await using var coordinator = Coordinator(temp.Store, new RecordingTransport());
        await coordinator.SubmitAsync(Spec(3));
        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => coordinator.SubmitAsync(Spec(4)));
        Assert.Equal("run_id", error.Field);
    }

    [Fact]
    public async Task EventsAreCountedOnceAndTheDatasetStepStartsWhenEveryPromptFinished()
    {
        using var temp = new TempStore();
        var transport = new RecordingTransport();
        await using var coordinator = Coordinator(temp.Store, transport);
        await coordinator.SubmitAsync(Spec(2));
        await coordinator.OnEventsAsync(Finished("p0"));
        await coordinator.OnEventAsync(Done("p0", Stage.Select)); // redelivered
        Assert.Equal(1, coordinator.Get("r")!.Stages.Single(s => s.Stage == "select").Done);
        await coordinator.PumpOnceAsync(CancellationToken.None);
        Assert.Empty(transport.On<DatasetSelectRequest>(Topic.Select));

        await coordinator.OnEventsAsync(Finished("p1"));
        Assert.Equal(RunState.Selecting, coordinator.Get("r")!.State);
        await coordinator.PumpOnceAsync(CancellationToken.None);
        var request = Assert.Single(transport.On<DatasetSelectRequest>(Topic.Select));
        Assert.Equal(["p0", "p1"], await DatasetIds(temp.Store, request));

        await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "select-dataset", DatasetArtifact = "runs/r/pairs.jsonl", Selection = new SelectionSummary { Kept = 2 } });
        await coordinator.PumpOnceAsync(CancellationToken.None);
        var train = Assert.Single(transport.On<TrainRequest>(Topic.Train));
        Assert.Equal(("r/train", "runs/r/pairs.jsonl", "v1"), (train.JobId, train.DatasetArtifact, train.BasePolicy.Checkpoint));

        // Progress keeps the run alive without a ledger record; the end finishes it.
        await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "train", Job = new TrainJob { JobId = "r/train", State = JobState.Running, Step = 3, TotalSteps = 10 } });
        Assert.Equal((RunState.Training, 3), (coordinator.Get("r")!.State, coordinator.Get("r")!.Training.Step));
        await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "train", Job = new TrainJob { JobId = "r/train", State = JobState.Succeeded, CheckpointVersion = "abc" } });
        var done = coordinator.Get("r")!;
        Assert.Equal((RunState.Succeeded, "abc"), (done.State, done.CheckpointVersion));
        Assert.Equal(done.State, Run.Parser.ParseFrom(await temp.Store.ReadAsync(ArtifactPaths.Run("r"))).State); // the snapshot readers see
    }

    [Fact]
    public async Task AUnitIsNeverBothFailedAndDoneAndOnlyFinishedPromptsMakePairs()
    {
        using var temp = new TempStore();
        var transport = new RecordingTransport();
        await using var coordinator = Coordinator(temp.Store, transport);
        await coordinator.SubmitAsync(Spec(3, train: false));

        // p0 finished, then a late failure of a duplicate: still finished, nothing reported.
        await coordinator.OnEventsAsync(Finished("p0"));
        await coordinator.OnEventAsync(Failed("p0", Stage.Score, "late duplicate"));
        // p1 failed for good, then a late success of a duplicate: still failed, not counted done.
        await coordinator.OnEventAsync(Failed("p1", Stage.Score, "boom"));
        await coordinator.OnEventAsync(Failed("p1", Stage.Score, "boom"));
        await coordinator.OnEventsAsync(Finished("p1"));
        var current = coordinator.Get("r")!;
        var dead = Assert.Single(current.DeadLetters);
        Assert.Equal(("r/p1/score", "boom", 1), (dead.UnitId, dead.Error, current.DeadLetterCount));
        Assert.Equal(1, current.Stages.Single(s => s.Stage == "select").Done);
        Assert.Equal(RunState.Running, current.State);

        await coordinator.OnEventsAsync(Finished("p2"));
        await coordinator.PumpOnceAsync(CancellationToken.None);
        Assert.Equal(["p0", "p2"], await DatasetIds(temp.Store, Assert.Single(transport.On<DatasetSelectRequest>(Topic.Select))));
        await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "select-dataset", DatasetArtifact = "x" });
        Assert.Equal(RunState.Succeeded, coordinator.Get("r")!.State); // no training asked for
    }

    [Fact]
    public async Task WhenEveryPromptFailsTheRunFailsWithItsReasons()
    {
        using var temp = new TempStore();
        await using var coordinator = Coordinator(temp.Store, new RecordingTransport());
        await coordinator.SubmitAsync(Spec(2));
        await coordinator.OnEventsAsync([Failed("p0", Stage.Sample, "no such policy"), Failed("p1", Stage.Sample, "no such policy")]);
        var run = coordinator.Get("r")!;
        Assert.Equal(RunState.Failed, run.State);
        Assert.Contains("every prompt failed", run.Error, StringComparison.Ordinal);
        Assert.Equal(2, run.DeadLetters.Count);
    }

    [Fact]
    public async Task WithoutADefaultPolicyTheRunWaitsForItsTraining()
    {
        using var temp = new TempStore();
        var transport = new RecordingTransport();
        await using var coordinator = Coordinator(temp.Store, transport);
        await coordinator.SubmitAsync(Spec(2, policy: null));
        await coordinator.PumpOnceAsync(CancellationToken.None);
        var job = Assert.Single(transport.On<TrainRequest>(Topic.Train));
        Assert.True(job.DemoSft);
        Assert.Equal(50, job.Options.Steps);
        Assert.Empty(transport.On<SampleUnit>(Topic.Sample));

        await coordinator.OnEventAsync(new StageEvent { Stage = "train", Job = new TrainJob { JobId = JobIds.DefaultPolicy, State = JobState.Succeeded, CheckpointVersion = "v9" } });
        await coordinator.PumpOnceAsync(CancellationToken.None);
        Assert.Equal(2, transport.On<SampleUnit>(Topic.Sample).Length);
        Assert.All(transport.On<SampleUnit>(Topic.Sample), u => Assert.Equal("v9", u.Policy.Checkpoint));
        Assert.Equal("v9", System.Text.Encoding.UTF8.GetString((await temp.Store.ReadAsync(ArtifactPaths.PolicyAlias("default")))!));
    }

    [Fact]
    public async Task ACrashBetweenTheLedgerWriteAndTheSendIsRepairedByTheNextProcess()
    {
        using var temp = new TempStore();
        var first = new RecordingTransport();
        var coordinator = Coordinator(temp.Store, first);
        await coordinator.SubmitAsync(Spec(2));
        await coordinator.PumpOnceAsync(CancellationToken.None);
        await coordinator.OnEventsAsync(Finished("p0", "p1")); // the ledger now owes the dataset request
        coordinator.BeforeSend = () => throw new InvalidOperationException("killed between the save and the publish");
        await coordinator.PumpOnceAsync(CancellationToken.None); // the process "dies" here: it is not used again
        Assert.Empty(first.On<DatasetSelectRequest>(Topic.Select));

        // A new process reads the ledger and sends what was owed, once.
        var second = new RecordingTransport();
        await using var restarted = Coordinator(temp.Store, second);
        await restarted.LoadAsync();
        Assert.Equal(RunState.Selecting, restarted.Get("r")!.State);
        await restarted.PumpOnceAsync(CancellationToken.None);
        await restarted.PumpOnceAsync(CancellationToken.None);
        Assert.Equal(["p0", "p1"], await DatasetIds(temp.Store, Assert.Single(second.On<DatasetSelectRequest>(Topic.Select))));
        Assert.Empty(second.On<SampleUnit>(Topic.Sample)); // the fan-out had finished: nothing sent twice
        Assert.Equal(2, restarted.Get("r")!.Stages.Single(s => s.Stage == "select").Done);
    }

    [Fact]
    public async Task FanOutResumesWhereItStoppedAndAFailedSendLosesNothing()
    {
        using var temp = new TempStore();
        var options = new WorkflowOptions { DispatchChunk = 2 };
        var first = new RecordingTransport();
        var coordinator = Coordinator(temp.Store, first, options: options);
        await coordinator.SubmitAsync(Spec(7));
        var sends = 0;
        coordinator.BeforeSend = () => ++sends == 3 ? throw new InvalidOperationException("killed") : Task.CompletedTask;
        await coordinator.PumpOnceAsync(CancellationToken.None); // dies before the third chunk is sent
        Assert.Equal(["p0", "p1", "p2", "p3"], first.On<SampleUnit>(Topic.Sample).Select(u => u.Prompt.PromptId));

        var second = new RecordingTransport { Failure = new IOException("broker down") };
        await using var restarted = Coordinator(temp.Store, second, options: options);
        await restarted.LoadAsync();
        await restarted.PumpOnceAsync(CancellationToken.None); // fails, is logged, and is tried again
        second.Failure = null;
        await restarted.PumpOnceAsync(CancellationToken.None);
        Assert.Equal(["p4", "p5", "p6"], second.On<SampleUnit>(Topic.Sample).Select(u => u.Prompt.PromptId));
    }

    [Fact]
    public async Task AStalledRunIsSentAgainThenItsStuckPromptsFailAndTheRunEndsInBoundedTime()
    {
        using var temp = new TempStore();
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var transport = new RecordingTransport();
        var options = new WorkflowOptions { StallTimeout = TimeSpan.FromMinutes(1), StallRetries = 1 };
        await using var coordinator = Coordinator(temp.Store, transport, time, options);
        await coordinator.SubmitAsync(Spec(3, train: false));
        await coordinator.PumpOnceAsync(CancellationToken.None);
        await coordinator.OnEventsAsync(Finished("p0"));
        await coordinator.OnEventAsync(Done("p1", Stage.Sample));

        // Nothing for a minute: the unfinished prompts are sent again (a new round), once.
        time.Advance(TimeSpan.FromSeconds(61));
        await coordinator.PumpOnceAsync(CancellationToken.None);
        await coordinator.PumpOnceAsync(CancellationToken.None);
        Assert.Equal(["p0", "p1", "p2", "p1", "p2"], transport.On<SampleUnit>(Topic.Sample).Select(u => u.Prompt.PromptId));

        // Still nothing: the workflow gives up on them, reports where each stopped, and selects what finished.
        time.Advance(TimeSpan.FromSeconds(61));
        await coordinator.PumpOnceAsync(CancellationToken.None);
        var run = coordinator.Get("r")!;
        Assert.Equal(RunState.Selecting, run.State);
        Assert.Equal([("r/p1/score", "score"), ("r/p2/sample", "sample")], run.DeadLetters.Select(d => (d.UnitId, d.Stage)));
        Assert.All(run.DeadLetters, d => Assert.StartsWith("stalled", d.Error, StringComparison.Ordinal));
        await coordinator.PumpOnceAsync(CancellationToken.None);
        Assert.Equal(["p0"], await DatasetIds(temp.Store, Assert.Single(transport.On<DatasetSelectRequest>(Topic.Select))));

        // The dataset step never answers either: retried once, then the run fails with the reason.
        time.Advance(TimeSpan.FromSeconds(61));
        await coordinator.PumpOnceAsync(CancellationToken.None);
        await coordinator.PumpOnceAsync(CancellationToken.None);
        Assert.Equal(2, transport.On<DatasetSelectRequest>(Topic.Select).Length);
        time.Advance(TimeSpan.FromSeconds(61));
        await coordinator.PumpOnceAsync(CancellationToken.None);
        Assert.Equal(RunState.Failed, coordinator.Get("r")!.State);
        Assert.Contains("dataset selection did not answer", coordinator.Get("r")!.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AResumedRunWithoutDurableQueuesSendsOnlyItsUnfinishedPromptsAgain()
    {
        using var temp = new TempStore();
        var coordinator = Coordinator(temp.Store, new RecordingTransport(durable: false));
        await coordinator.SubmitAsync(Spec(3, train: false));
        await coordinator.PumpOnceAsync(CancellationToken.None);
        await coordinator.OnEventsAsync(Finished("p1"));
        await coordinator.DisposeAsync();

        var again = new RecordingTransport(durable: false);
        await using var resumed = Coordinator(temp.Store, again);
        await resumed.LoadAsync("r", CancellationToken.None);
        await resumed.PumpOnceAsync(CancellationToken.None);
        Assert.Equal(["p0", "p2"], again.On<SampleUnit>(Topic.Sample).Select(u => u.Prompt.PromptId));
        Assert.Equal(1, resumed.Get("r")!.Stages.Single(s => s.Stage == "select").Done);
    }

    [Fact]
    public async Task CancellingARunEndsItAndMarksItForTheStages()
    {
        using var temp = new TempStore();
        await using var coordinator = Coordinator(temp.Store, new RecordingTransport());
        await coordinator.SubmitAsync(Spec(2));
        var cancelled = await coordinator.CancelAsync("r");
        Assert.Equal(RunState.Cancelled, cancelled.State);
        Assert.True(await RunCoordinator.IsCancelledAsync(temp.Store, "r"));
        await coordinator.OnEventsAsync(Finished("p0", "p1"));
        Assert.Equal(RunState.Cancelled, coordinator.Get("r")!.State);
    }

    [Fact]
    public async Task WatchersSeeTheRunUntilItEnds()
    {
        using var temp = new TempStore();
        await using var coordinator = Coordinator(temp.Store, new RecordingTransport());
        await coordinator.SubmitAsync(Spec(1, train: false));
        var seen = new List<RunEvent>();
        var watching = Task.Run(async () =>
        {
            await foreach (var change in coordinator.WatchAsync("r"))
            {
                seen.Add(change);
            }
        });
        await Task.Delay(100);
        await coordinator.OnEventsAsync(Finished("p0"));
        await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "select-dataset", DatasetArtifact = "x", Selection = new SelectionSummary { Kept = 1 } });
        await watching.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("current state", seen[0].Message);
        Assert.Equal(RunState.Succeeded, seen[^1].Run.State);
        Assert.Equal("dataset ready: 1 pairs", seen[^1].Message);
    }

    [Theory]
    [InlineData(1, "sampling.n")]
    [InlineData(4, "prompts")]
    public async Task InvalidSpecsNameTheField(int n, string field)
    {
        using var temp = new TempStore();
        await using var coordinator = Coordinator(temp.Store, new RecordingTransport());
        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => coordinator.SubmitAsync(new RunSpec { RunId = "x", Sampling = new SamplingParams { N = n } }));
        Assert.Equal(field, error.Field);
    }
}
