using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Runs;
using PrefSuite.Stages.Storage;

namespace PrefSuite.Stages.Tests.Runs;

public class RunCoordinatorTests
{
    private static (RunCoordinator Coordinator, RecordingBus Bus, TempStore Store, PolicyStore Policies) Create()
    {
        var store = new TempStore();
        var bus = new RecordingBus();
        var policies = new PolicyStore(store.Store);
        return (new RunCoordinator(store.Store, policies, bus, new FakeTimeProvider(DateTimeOffset.UnixEpoch), NullLogger<RunCoordinator>.Instance) { DefaultPolicySftSteps = 50 }, bus, store, policies);
    }

    private static RunSpec Spec(int prompts, bool train = true) => new()
    {
        RunId = "r",
        DemoPrompts = prompts,
        Sampling = new SamplingParams { N = 4 },
        Policy = new PolicyRef { Checkpoint = "v1" },
        Training = train ? new TrainOptions() : null,
    };

    [Fact]
    public async Task SubmittingFansOutOneSampleUnitPerPromptOnce()
    {
        var (coordinator, bus, store, policies) = Create();
        using (store)
        using (policies)
        using (coordinator)
        {
            var run = await coordinator.SubmitAsync(Spec(3));
            var again = await coordinator.SubmitAsync(Spec(3));

            Assert.Equal(3, run.Spec.Prompts.Count);
            Assert.Equal(run.RunId, again.RunId);
            Assert.Equal(["r/sort-0-0/sample", "r/sort-0-1/sample", "r/sort-0-2/sample"], bus.Published.Select(p => p.UnitId));
            Assert.True(store.Store.Exists(ArtifactPaths.RunSpec("r")));
        }
    }

    [Fact]
    public async Task EventsAreCountedOnceAndTheDatasetStepStartsWhenEveryPromptArrived()
    {
        var (coordinator, bus, store, policies) = Create();
        using (store)
        using (policies)
        using (coordinator)
        {
            var run = await coordinator.SubmitAsync(Spec(2));
            var ids = run.Spec.Prompts.Select(p => p.PromptId).ToArray();
            await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "select", PromptId = ids[0] });
            await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "select", PromptId = ids[0] }); // redelivered
            Assert.Equal(1, coordinator.Get("r")!.Stages.Single(s => s.Stage == "select").Done);
            Assert.Empty(bus.On<DatasetSelectRequest>(Queues.Select));

            await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "select", PromptId = ids[1] });
            var request = Assert.Single(bus.On<DatasetSelectRequest>(Queues.Select));
            Assert.Equal(ids, request.PromptIds);
            Assert.Equal(RunState.Selecting, coordinator.Get("r")!.State);

            await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "select-dataset", DatasetArtifact = "runs/r/pairs.jsonl", Selection = new SelectionSummary { Kept = 2 } });
            var train = Assert.Single(bus.On<TrainRequest>(Queues.Train));
            Assert.Equal(("r/train", "runs/r/pairs.jsonl", "v1"), (train.JobId, train.DatasetArtifact, train.BasePolicy.Checkpoint));

            await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "train", Job = new TrainJob { JobId = "r/train", State = JobState.Succeeded, CheckpointVersion = "abc" } });
            var done = coordinator.Get("r")!;
            Assert.Equal((RunState.Succeeded, "abc"), (done.State, done.CheckpointVersion));
        }
    }

    [Fact]
    public async Task FailedPromptsAreDeadLettersAndTheRestStillMakeADataset()
    {
        var (coordinator, bus, store, policies) = Create();
        using (store)
        using (policies)
        using (coordinator)
        {
            var run = await coordinator.SubmitAsync(Spec(2, train: false));
            var ids = run.Spec.Prompts.Select(p => p.PromptId).ToArray();
            await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "score", PromptId = ids[0], Failed = true, Error = "boom" });
            await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "score", PromptId = ids[0], Failed = true, Error = "boom" });
            await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "select", PromptId = ids[1] });

            var current = coordinator.Get("r")!;
            var dead = Assert.Single(current.DeadLetters);
            Assert.Equal(($"r/{ids[0]}/score", "boom"), (dead.UnitId, dead.Error));
            Assert.Equal([ids[1]], Assert.Single(bus.On<DatasetSelectRequest>(Queues.Select)).PromptIds);

            await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "select-dataset", DatasetArtifact = "x" });
            Assert.Equal(RunState.Succeeded, coordinator.Get("r")!.State); // no training asked for
        }
    }

    [Fact]
    public async Task WithoutADefaultPolicyTheRunWaitsForItsTraining()
    {
        var (coordinator, bus, store, policies) = Create();
        using (store)
        using (policies)
        using (coordinator)
        {
            var spec = Spec(2);
            spec.Policy = null;
            await coordinator.SubmitAsync(spec);
            var job = Assert.Single(bus.On<TrainRequest>(Queues.Train));
            Assert.True(job.DemoSft);
            Assert.Equal(50, job.Options.Steps);
            Assert.Empty(bus.On<SampleUnit>(Queues.Sample));

            await coordinator.OnEventAsync(new StageEvent { Stage = "train", Job = new TrainJob { JobId = RunCoordinator.DefaultPolicyJob, State = JobState.Succeeded, CheckpointVersion = "v9" } });
            Assert.Equal(2, bus.On<SampleUnit>(Queues.Sample).Count());
            Assert.All(bus.On<SampleUnit>(Queues.Sample), u => Assert.Equal("v9", u.Policy.Checkpoint));
            Assert.Equal("v9", await policies.GetAliasAsync("default"));
        }
    }

    [Fact]
    public async Task RunsSurviveARestartOfTheCoordinator()
    {
        var (coordinator, bus, store, policies) = Create();
        using (store)
        using (policies)
        {
            using (coordinator)
            {
                var run = await coordinator.SubmitAsync(Spec(2));
                await coordinator.OnEventAsync(new StageEvent { RunId = "r", Stage = "select", PromptId = run.Spec.Prompts[0].PromptId });
            }

            using var restarted = new RunCoordinator(store.Store, policies, bus, new FakeTimeProvider(), NullLogger<RunCoordinator>.Instance);
            await restarted.LoadAsync();
            var loaded = restarted.Get("r")!;
            Assert.Equal(1, loaded.Stages.Single(s => s.Stage == "select").Done);
            await restarted.OnEventAsync(new StageEvent { RunId = "r", Stage = "select", PromptId = loaded.Spec.Prompts[0].PromptId });
            Assert.Equal(1, restarted.Get("r")!.Stages.Single(s => s.Stage == "select").Done);
        }
    }

    [Theory]
    [InlineData(1, "sampling.n")]
    [InlineData(4, "prompts")]
    public async Task InvalidSpecsNameTheField(int n, string field)
    {
        var (coordinator, _, store, policies) = Create();
        using (store)
        using (policies)
        using (coordinator)
        {
            var spec = new RunSpec { Sampling = new SamplingParams { N = n } };
            var error = await Assert.ThrowsAsync<InvalidRequestException>(() => coordinator.SubmitAsync(spec));
            Assert.Equal(field, error.Field);
        }
    }
}
