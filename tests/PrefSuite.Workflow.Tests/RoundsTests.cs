using PrefSuite.Contracts.V1;
using static PrefSuite.Workflow.Tests.Runs;

namespace PrefSuite.Workflow.Tests;

public class RoundsTests
{
    [Fact]
    public void ARoundScopeIsTheRunIdInRoundOneAndCarriesTheRoundAfter()
    {
        Assert.Equal("r", RunRound.First("r").ToString());
        Assert.Equal("r@2", new RunRound("r", 2).ToString());
        Assert.Equal(new RunRound("r", 2), RunRound.Parse("r@2"));
        Assert.Equal(new RunRound("r", 1), RunRound.Parse("r"));
        Assert.Equal(new RunRound("r@1", 1), RunRound.Parse("r@1")); // "@1" is never written: not a round

        Assert.True(UnitId.TryParse("r@2/p/0/sample", out var unit));
        Assert.Equal(("r@2", "p/0", Stage.Sample), (unit.RunId, unit.PromptId, unit.Stage));
        Assert.Equal("r@3/train", JobIds.Training(new RunRound("r", 3).ToString()));
        Assert.Equal("r@3", JobIds.RunOf("r@3/train"));
    }

    [Fact]
    public void RoundOneKeepsTheRunsLayoutAndLaterRoundsHaveAFolderOfTheirOwn()
    {
        Assert.Equal("runs/r/pairs.jsonl", ArtifactPaths.Pairs("r"));
        Assert.Equal("runs/r/selected/p0.pb", ArtifactPaths.SelectedUnit("r", "p0"));
        Assert.Equal("runs/r/rounds/2/pairs.jsonl", ArtifactPaths.Pairs("r@2"));
        Assert.Equal("runs/r/rounds/2/samples.jsonl", ArtifactPaths.Samples("r@2"));
        Assert.Equal("runs/r/rounds/2/selected/p0.pb", ArtifactPaths.SelectedUnit("r@2", "p0"));
        Assert.Equal(ArtifactPaths.RunSpec("r"), ArtifactPaths.RunSpec("r@2"));
        Assert.Equal(ArtifactPaths.Cancelled("r"), ArtifactPaths.Cancelled("r@2"));
        Assert.Equal(ArtifactPaths.Run("r"), ArtifactPaths.Run("r@2"));
    }

    [Theory]
    [InlineData(false, 1, 0, 10)]
    [InlineData(false, 3, 0, 10)]
    [InlineData(true, 1, 0, 3)]
    [InlineData(true, 2, 3, 3)]
    [InlineData(true, 3, 6, 4)]
    public void FreshPromptsGiveEachRoundTheNextSliceOfThePool(bool fresh, int round, int start, int count)
    {
        var spec = Spec(10);
        spec.Rounds = 3;
        spec.FreshPrompts = fresh;
        Assert.Equal((start, count), RunDefinition.RoundPrompts(spec, round));
    }

    [Fact]
    public async Task EachRoundSamplesWithThePolicyTheRoundBeforeTrainedAndTheRunEndsAfterTheLast()
    {
        using var temp = new TempStore();
        var transport = new RecordingTransport();
        await using var coordinator = Coordinator(temp.Store, transport);
        var spec = Spec(2);
        spec.Rounds = 2;
        await coordinator.SubmitAsync(spec);

        await FinishRoundAsync(coordinator, "r", "v2", pairs: 2, loss: 0.6);
        var run = coordinator.Get("r")!;
        Assert.Equal((RunState.Running, 2), (run.State, run.Round));
        Assert.Equal(0, run.Stages.Single(s => s.Stage == "select").Done);
        await coordinator.PumpOnceAsync(CancellationToken.None);
        var roundTwo = transport.Sent.Where(e => e.Topic == Topic.Sample).Skip(2).ToArray();
        Assert.Equal(["r@2/p0/sample", "r@2/p1/sample"], roundTwo.Select(e => e.Id));
        Assert.All(roundTwo.Select(e => (SampleUnit)e.Message), u => Assert.Equal(("r@2", "v2"), (u.RunId, u.Policy.Checkpoint)));

        // A late event of round 1 changes nothing in round 2.
        await coordinator.OnEventsAsync(Finished("p0"));
        Assert.Equal(0, coordinator.Get("r")!.Stages.Single(s => s.Stage == "sample").Done);

        await FinishRoundAsync(coordinator, "r@2", "v3", pairs: 1, loss: 0.4);
        var trainings = transport.On<TrainRequest>(Topic.Train);
        Assert.Equal(["r/train", "r@2/train"], trainings.Select(t => t.JobId));
        Assert.Equal(["v1", "v2"], trainings.Select(t => t.BasePolicy.Checkpoint)); // round 2 trains from (and against) round 1's policy
        Assert.Equal("runs/r/rounds/2/pairs.jsonl", trainings[1].DatasetArtifact);

        run = coordinator.Get("r")!;
        Assert.Equal((RunState.Succeeded, "v3"), (run.State, run.CheckpointVersion));
        Assert.Equal([(1, "v1", 2, "v2", 0.6), (2, "v2", 1, "v3", 0.4)], run.Rounds.Select(r => (r.Round, r.Policy, r.Pairs, r.CheckpointVersion, r.TrainingLoss)));
    }

    [Fact]
    public async Task ACrashBetweenRoundsResumesAtRoundTwoWithoutRedoingRoundOne()
    {
        using var temp = new TempStore();
        var first = new RecordingTransport(durable: false);
        var coordinator = Coordinator(temp.Store, first);
        var spec = Spec(3);
        spec.Rounds = 2;
        await coordinator.SubmitAsync(spec);
        await FinishRoundAsync(coordinator, "r", "v2", pairs: 3, loss: 0.5);
        coordinator.BeforeSend = () => throw new InvalidOperationException("killed after round 1's training was recorded");
        await coordinator.PumpOnceAsync(CancellationToken.None); // the process "dies": round 2 is recorded, nothing of it sent

        var second = new RecordingTransport(durable: false);
        await using var restarted = Coordinator(temp.Store, second);
        await restarted.LoadAsync();
        var run = restarted.Get("r")!;
        Assert.Equal((RunState.Running, 2, "v2"), (run.State, run.Round, run.Rounds[1].Policy));
        Assert.Equal("v2", run.Rounds[0].CheckpointVersion);
        await restarted.PumpOnceAsync(CancellationToken.None);
        await restarted.PumpOnceAsync(CancellationToken.None);
        Assert.Equal(["r@2/p0/sample", "r@2/p1/sample", "r@2/p2/sample"], second.Sent.Select(e => e.Id));
        Assert.Empty(second.On<TrainRequest>(Topic.Train)); // round 1 is not trained again

        // Mid-round: two prompts of round 2 finish, then the process restarts again; only the third is sent again.
        await restarted.OnEventsAsync(InRound("r@2", "p0", "p1"));
        var again = new RecordingTransport(durable: false);
        await using var resumed = Coordinator(temp.Store, again);
        await resumed.LoadAsync();
        await resumed.PumpOnceAsync(CancellationToken.None);
        Assert.Equal(["r@2/p2/sample"], again.Sent.Select(e => e.Id));
        Assert.All(again.On<SampleUnit>(Topic.Sample), u => Assert.Equal("v2", u.Policy.Checkpoint));
        Assert.Equal(2, resumed.Get("r")!.Stages.Single(s => s.Stage == "select").Done);
    }

    [Fact]
    public async Task FreshPromptsSampleTheNextSliceEachRound()
    {
        using var temp = new TempStore();
        var transport = new RecordingTransport();
        await using var coordinator = Coordinator(temp.Store, transport);
        var spec = Spec(4);
        spec.Rounds = 2;
        spec.FreshPrompts = true;
        await coordinator.SubmitAsync(spec);
        await coordinator.PumpOnceAsync(CancellationToken.None);
        Assert.Equal(["r/p0/sample", "r/p1/sample"], transport.Sent.Select(e => e.Id));
        await FinishRoundAsync(coordinator, "r", "v2", pairs: 2, loss: 0.5, prompts: ["p0", "p1"]);
        await coordinator.PumpOnceAsync(CancellationToken.None);
        Assert.Equal(["r@2/p2/sample", "r@2/p3/sample"], transport.Sent.Where(e => e.Topic == Topic.Sample).Skip(2).Select(e => e.Id));
        Assert.Equal([2, 2], coordinator.Get("r")!.Rounds.Select(r => r.Prompts));
    }

    [Fact]
    public async Task AWarmupTrainsOnAShareOfTheFirstSelectionThenTheRoundIsSelectedAgainBeforeTraining()
    {
        using var temp = new TempStore();
        var transport = new RecordingTransport();
        await using var coordinator = Coordinator(temp.Store, transport);
        var spec = Spec(2);
        spec.ImplicitWarmup = 0.25;
        spec.Dataset = new DatasetOptions { Aggregation = Aggregation.Bayes, KeepFraction = 0.1 };
        await coordinator.SubmitAsync(spec);
        await coordinator.PumpOnceAsync(CancellationToken.None);
        await coordinator.OnEventsAsync(Runs.Finished("p0", "p1"));
        await coordinator.PumpOnceAsync(CancellationToken.None);
        var firstSelection = Assert.Single(transport.On<DatasetSelectRequest>(Topic.Select));
        Assert.Equal((1.0, Aggregation.Bayes, false), (firstSelection.Dataset.KeepFraction, firstSelection.Dataset.Aggregation, firstSelection.Dataset.RouteSmallMargins));

        var selected = new StageEvent { RunId = "r", Stage = "select-candidates", DatasetArtifact = "runs/r/candidates.jsonl", Selection = new SelectionSummary { CandidatePairs = 2, Kept = 2 } };
        await coordinator.OnEventAsync(selected);
        await coordinator.PumpOnceAsync(CancellationToken.None);
        var warmup = Assert.Single(transport.On<TrainRequest>(Topic.Train));
        Assert.Equal(("r/warmup", "v1", 0.25, true, 1), (warmup.JobId, warmup.BasePolicy.Checkpoint, warmup.SubsetFraction, warmup.ImplicitWarmup, warmup.Options.Epochs));
        Assert.Equal(RunState.Selecting, coordinator.Get("r")!.State);

        await coordinator.OnEventAsync(selected); // the first selection's event again: the run waits for its warm-up
        await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "train", Job = new TrainJob { JobId = "r/warmup", RunId = "r", State = JobState.Succeeded, CheckpointVersion = "w1" } });
        await coordinator.PumpOnceAsync(CancellationToken.None);
        var selections = transport.On<DatasetSelectRequest>(Topic.Select);
        Assert.Equal(2, selections.Length);
        Assert.Equal(spec.Dataset, selections[1].Dataset);
        Assert.Equal((true, false), (selections[0].Candidates, selections[1].Candidates));
        Assert.Equal(["r/select-candidates", "r/select-dataset"], transport.Sent.Where(e => e.Topic == Topic.Select).Select(e => e.Id));
        Assert.Single(transport.On<TrainRequest>(Topic.Train));

        // A late answer to the first selection, after the final one was asked for, is not taken for it.
        await coordinator.OnEventAsync(selected);
        await coordinator.PumpOnceAsync(CancellationToken.None);
        Assert.Equal(RunState.Selecting, coordinator.Get("r")!.State);
        Assert.Single(transport.On<TrainRequest>(Topic.Train));

        await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "select-dataset", DatasetArtifact = "runs/r/pairs.jsonl", Selection = new SelectionSummary { CandidatePairs = 2, Kept = 1 } });
        await coordinator.PumpOnceAsync(CancellationToken.None);
        var trainings = transport.On<TrainRequest>(Topic.Train);
        Assert.Equal(["r/warmup", "r/train"], trainings.Select(t => t.JobId));
        Assert.Equal(("v1", 0.0, false), (trainings[1].BasePolicy.Checkpoint, trainings[1].SubsetFraction, trainings[1].ImplicitWarmup));
        var run = coordinator.Get("r")!;
        Assert.Equal((RunState.Training, 1, "w1", 1), (run.State, run.Selection.Kept, run.Rounds[0].WarmupCheckpoint, run.Rounds[0].Pairs));
    }

    [Fact]
    public async Task AFailedWarmupFailsTheRunWithItsReason()
    {
        using var temp = new TempStore();
        await using var coordinator = Coordinator(temp.Store, new RecordingTransport());
        var spec = Spec(1);
        spec.ImplicitWarmup = 0.5;
        await coordinator.SubmitAsync(spec);
        await coordinator.OnEventsAsync(Runs.Finished("p0"));
        await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "select-candidates", DatasetArtifact = "runs/r/candidates.jsonl", Selection = new SelectionSummary { Kept = 1 } });
        await coordinator.OnEventAsync(StageEvents.UnitFailed("r/warmup", new InvalidOperationException("out of memory"))!.Message as StageEvent ?? throw new InvalidOperationException());
        var run = coordinator.Get("r")!;
        Assert.Equal(RunState.Failed, run.State);
        Assert.Contains("warm-up", run.Error, StringComparison.Ordinal);
        Assert.Contains("out of memory", run.Error, StringComparison.Ordinal);
    }

    /// <summary>Every prompt of a round through every stage, its dataset, and its training to <paramref name="checkpoint"/>.</summary>
    private static async Task FinishRoundAsync(RunCoordinator coordinator, string scope, string checkpoint, int pairs, double loss, string[]? prompts = null)
    {
        await coordinator.PumpOnceAsync(CancellationToken.None);
        var total = coordinator.Get("r")!.Stages.Single(s => s.Stage == "sample").Total;
        await coordinator.OnEventsAsync(InRound(scope, prompts ?? [.. Enumerable.Range(0, total).Select(i => $"p{i}")]));
        await coordinator.OnEventAsync(new StageEvent { RunId = scope, Stage = "select-dataset", DatasetArtifact = ArtifactPaths.Pairs(scope), Selection = new SelectionSummary { Kept = pairs } });
        await coordinator.PumpOnceAsync(CancellationToken.None);
        await coordinator.OnEventAsync(new StageEvent
        {
            RunId = scope,
            Stage = "train",
            Job = new TrainJob { JobId = JobIds.Training(scope), RunId = scope, State = JobState.Succeeded, CheckpointVersion = checkpoint, FinalLoss = loss, HeldOutAccuracy = double.NaN },
        });
    }

    private static StageEvent[] InRound(string scope, params string[] promptIds) =>
        promptIds.SelectMany(p => new[] { Stage.Sample, Stage.Score, Stage.Denoise, Stage.Select }.Select(s => Done(p, s, scope))).ToArray();
}
