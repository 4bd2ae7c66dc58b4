using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Storage;

namespace PrefSuite.Stages.Runs;

/// <summary>
/// The pipeline service's logic: submits runs (fanning prompts out to the sample queue), counts each prompt through
/// each stage from the events the stages publish (redeliveries counted once), starts dataset-level selection when every
/// prompt has arrived, then training, and records dead-lettered units. Runs persist in the artifact store.
/// </summary>
public sealed partial class RunCoordinator(IArtifactStore store, PolicyStore policies, IStageBus bus, TimeProvider time, ILogger<RunCoordinator> logger) : IDisposable
{
    public const string DefaultPolicyJob = "default-policy";
    public const string DefaultPolicyAlias = "default";

    private static readonly JsonSerializerOptions ProgressJson = new() { WriteIndented = false };
    private readonly ConcurrentDictionary<string, Tracked> _runs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>SFT steps of the default policy trained on first use.</summary>
    public int DefaultPolicySftSteps { get; init; } = 1500;

    /// <summary>Reloads runs persisted by an earlier process.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        foreach (var folder in store.List("runs"))
        {
            var id = folder["runs/".Length..];
            if (await store.ReadAsync(ArtifactPaths.Run(id), cancellationToken).ConfigureAwait(false) is not { } bytes)
            {
                continue;
            }

            var run = Run.Parser.ParseFrom(bytes);
            var progressBytes = await store.ReadAsync($"runs/{ArtifactPaths.Safe(run.RunId)}/progress.json", cancellationToken).ConfigureAwait(false);
            var progress = progressBytes is null ? new RunProgress() : JsonSerializer.Deserialize<RunProgress>(progressBytes, ProgressJson) ?? new RunProgress();
            _runs[run.RunId] = new Tracked(run, progress);
        }
    }

    public async Task<Run> SubmitAsync(RunSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec = Validate(spec.Clone());
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_runs.TryGetValue(spec.RunId, out var existing))
            {
                return existing.Run.Clone();
            }

            var now = Timestamp.FromDateTimeOffset(time.GetUtcNow());
            var run = new Run { RunId = spec.RunId, State = RunState.Running, Spec = spec, Created = now, Updated = now };
            foreach (var stage in new[] { "sample", "score", "denoise", "select" })
            {
                run.Stages.Add(new StageProgress { Stage = stage, Total = stage == "denoise" && spec.SkipDenoise ? 0 : spec.Prompts.Count });
            }

            run.Stages.Add(new StageProgress { Stage = "select-dataset", Total = 1 });
            run.Stages.Add(new StageProgress { Stage = "train", Total = spec.Training is null ? 0 : 1 });
            var tracked = new Tracked(run, new RunProgress());
            _runs[spec.RunId] = tracked;
            await store.WriteAsync(ArtifactPaths.RunSpec(spec.RunId), spec.ToByteArray(), cancellationToken).ConfigureAwait(false);

            if (spec.Policy is null || string.IsNullOrEmpty(spec.Policy.Checkpoint))
            {
                var version = await policies.GetAliasAsync(DefaultPolicyAlias, cancellationToken).ConfigureAwait(false);
                if (version is null)
                {
                    tracked.Progress.WaitingForPolicy = true;
                    await SaveAsync(tracked, "waiting for the default policy (demo SFT) to be trained", cancellationToken).ConfigureAwait(false);
                    await bus.PublishAsync(Queues.Train, new TrainRequest { JobId = DefaultPolicyJob, DemoSft = true, Options = new TrainOptions { Steps = DefaultPolicySftSteps } }, DefaultPolicyJob, cancellationToken).ConfigureAwait(false);
                    return run.Clone();
                }

                spec.Policy = new PolicyRef { Checkpoint = version };
                await store.WriteAsync(ArtifactPaths.RunSpec(spec.RunId), spec.ToByteArray(), cancellationToken).ConfigureAwait(false);
            }

            await SaveAsync(tracked, $"submitted: {spec.Prompts.Count} prompts × {spec.Sampling.N} samples", cancellationToken).ConfigureAwait(false);
            await DispatchSamplingAsync(spec, cancellationToken).ConfigureAwait(false);
            return run.Clone();
        }
        finally
        {
            _gate.Release();
        }
    }

    public Run? Get(string runId) => _runs.TryGetValue(runId, out var tracked) ? tracked.Run.Clone() : null;

    public IReadOnlyList<Run> List(int limit) =>
        _runs.Values.Select(t => t.Run).OrderByDescending(r => r.Created?.ToDateTimeOffset()).Take(limit <= 0 ? 50 : limit).Select(r => r.Clone()).ToArray();

    public async Task<Run> CancelAsync(string runId, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var tracked = Find(runId);
            if (!IsFinal(tracked.Run.State))
            {
                tracked.Run.State = RunState.Cancelled;
                await store.WriteAsync($"runs/{ArtifactPaths.Safe(runId)}/cancelled", "cancelled"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                await SaveAsync(tracked, "cancelled", cancellationToken).ConfigureAwait(false);
            }

            return tracked.Run.Clone();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Whether a run was cancelled (stages skip its units).</summary>
    public static bool IsCancelled(IArtifactStore store, string runId)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.Exists($"runs/{ArtifactPaths.Safe(runId)}/cancelled");
    }

    /// <summary>Events until the run ends; the first is the run as it is now.</summary>
    public async IAsyncEnumerable<RunEvent> WatchAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var tracked = Find(runId);
        var channel = Channel.CreateUnbounded<RunEvent>();
        tracked.Watchers.TryAdd(channel, true);
        try
        {
            var first = new RunEvent { RunId = runId, Run = tracked.Run.Clone(), Message = "current state" };
            yield return first;
            if (IsFinal(first.Run.State))
            {
                yield break;
            }

            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return change;
                if (IsFinal(change.Run.State))
                {
                    yield break;
                }
            }
        }
        finally
        {
            tracked.Watchers.TryRemove(channel, out _);
        }
    }

    /// <summary>Applies one stage event (at-least-once: a repeated event changes nothing).</summary>
    public Task OnEventAsync(StageEvent stageEvent, CancellationToken cancellationToken = default) => OnEventsAsync([stageEvent], cancellationToken);

    /// <summary>
    /// Applies a batch of events and saves each run they touched once: counting thousands of units costs a few
    /// writes, not one per unit. Repeated events change nothing.
    /// </summary>
    public async Task OnEventsAsync(IReadOnlyList<StageEvent> stageEvents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stageEvents);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var counted = new Dictionary<string, (Tracked Run, List<string> Changes)>(StringComparer.Ordinal);
            foreach (var stageEvent in stageEvents)
            {
                if (stageEvent.Stage == "train" && stageEvent.Job?.JobId == DefaultPolicyJob)
                {
                    await OnDefaultPolicyAsync(stageEvent.Job, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (!_runs.TryGetValue(stageEvent.RunId, out var tracked) || IsFinal(tracked.Run.State))
                {
                    continue;
                }

                if (stageEvent.Failed)
                {
                    await OnFailureAsync(tracked, stageEvent, cancellationToken).ConfigureAwait(false);
                }
                else if (stageEvent.Stage == "select-dataset")
                {
                    await OnDatasetAsync(tracked, stageEvent, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                else if (stageEvent.Stage == "train")
                {
                    await OnTrainedAsync(tracked, stageEvent.Job, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                else if (tracked.Progress.MarkDone(stageEvent.Stage, stageEvent.PromptId))
                {
                    Stage(tracked.Run, stageEvent.Stage).Done = tracked.Progress.Count(stageEvent.Stage);
                    if (!counted.TryGetValue(tracked.Run.RunId, out var entry))
                    {
                        counted[tracked.Run.RunId] = entry = (tracked, []);
                    }

                    entry.Changes.Add($"{stageEvent.Stage}: {stageEvent.PromptId}");
                }
            }

            foreach (var (tracked, changes) in counted.Values)
            {
                await SaveAsync(tracked, changes.Count == 1 ? changes[0] : $"{changes.Count} units advanced", cancellationToken).ConfigureAwait(false);
            }

            foreach (var tracked in stageEvents.Select(e => e.RunId).Distinct().Select(id => _runs.GetValueOrDefault(id)).OfType<Tracked>())
            {
                await MaybeSelectDatasetAsync(tracked, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The run's exported artifact: "pairs" (TRL JSONL) or "samples" (every response with its scores).</summary>
    public async Task<byte[]> ExportAsync(string runId, string what, CancellationToken cancellationToken = default)
    {
        Find(runId);
        var path = what switch
        {
            "pairs" or "" => ArtifactPaths.Pairs(runId),
            "samples" => ArtifactPaths.Samples(runId),
            _ => throw new InvalidRequestException("what", $"'{what}' is not pairs or samples"),
        };
        return await store.ReadAsync(path, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidRequestException("run_id", $"run '{runId}' has no {what} yet");
    }

    private async Task OnFailureAsync(Tracked tracked, StageEvent stageEvent, CancellationToken cancellationToken)
    {
        var unitId = stageEvent.PromptId.Length > 0 ? Queues.UnitId(stageEvent.RunId, stageEvent.PromptId, stageEvent.Stage) : $"{stageEvent.RunId}/{stageEvent.Stage}";
        if (tracked.Run.DeadLetters.Any(d => d.UnitId == unitId))
        {
            return;
        }

        tracked.Run.DeadLetters.Add(new DeadLetter { Stage = stageEvent.Stage, UnitId = unitId, Error = stageEvent.Error });
        if (stageEvent.PromptId.Length > 0)
        {
            tracked.Progress.Failed[stageEvent.PromptId] = stageEvent.Stage;
            await SaveAsync(tracked, $"{stageEvent.Stage} failed for {stageEvent.PromptId}: {stageEvent.Error}", cancellationToken).ConfigureAwait(false);
            return;
        }

        tracked.Run.State = RunState.Failed;
        tracked.Run.Error = $"{stageEvent.Stage}: {stageEvent.Error}";
        await SaveAsync(tracked, $"{stageEvent.Stage} failed: {stageEvent.Error}", cancellationToken).ConfigureAwait(false);
    }

    private async Task MaybeSelectDatasetAsync(Tracked tracked, CancellationToken cancellationToken)
    {
        var spec = tracked.Run.Spec;
        var selected = tracked.Progress.Done.TryGetValue("select", out var set) ? set : [];
        if (tracked.Progress.DatasetRequested || tracked.Run.State != RunState.Running || selected.Count + tracked.Progress.Failed.Count < spec.Prompts.Count)
        {
            return;
        }

        if (selected.Count == 0)
        {
            tracked.Run.State = RunState.Failed;
            tracked.Run.Error = "every prompt failed; see dead_letters";
            await SaveAsync(tracked, tracked.Run.Error, cancellationToken).ConfigureAwait(false);
            return;
        }

        tracked.Progress.DatasetRequested = true;
        tracked.Run.State = RunState.Selecting;
        var request = new DatasetSelectRequest { RunId = spec.RunId, Strategy = spec.Strategy, Dataset = spec.Dataset };
        request.PromptIds.Add(spec.Prompts.Select(p => p.PromptId).Where(selected.Contains));
        await SaveAsync(tracked, $"all {spec.Prompts.Count} prompts arrived ({tracked.Progress.Failed.Count} failed): selecting the dataset", cancellationToken).ConfigureAwait(false);
        await bus.PublishAsync(Queues.Select, request, $"{spec.RunId}/select-dataset", cancellationToken).ConfigureAwait(false);
    }

    private async Task OnDatasetAsync(Tracked tracked, StageEvent stageEvent, CancellationToken cancellationToken)
    {
        if (tracked.Progress.TrainingRequested || tracked.Run.State != RunState.Selecting)
        {
            return;
        }

        Stage(tracked.Run, "select-dataset").Done = 1;
        tracked.Run.Selection = stageEvent.Selection;
        tracked.Run.DatasetArtifact = stageEvent.DatasetArtifact;
        var spec = tracked.Run.Spec;
        if (spec.Training is null)
        {
            tracked.Run.State = RunState.Succeeded;
            await SaveAsync(tracked, $"dataset ready: {stageEvent.Selection?.Kept} pairs", cancellationToken).ConfigureAwait(false);
            return;
        }

        tracked.Progress.TrainingRequested = true;
        tracked.Run.State = RunState.Training;
        await SaveAsync(tracked, $"dataset ready: {stageEvent.Selection?.Kept} pairs; training", cancellationToken).ConfigureAwait(false);
        var request = new TrainRequest
        {
            JobId = $"{spec.RunId}/train",
            RunId = spec.RunId,
            BasePolicy = spec.Policy,
            Options = spec.Training,
            DatasetArtifact = stageEvent.DatasetArtifact,
            EvaluationPrompts = spec.EvaluationPrompts,
            HeldOutPairs = spec.HeldOutPairs,
        };
        await bus.PublishAsync(Queues.Train, request, request.JobId, cancellationToken).ConfigureAwait(false);
    }

    private async Task OnTrainedAsync(Tracked tracked, TrainJob? job, CancellationToken cancellationToken)
    {
        if (job is null || tracked.Run.State != RunState.Training)
        {
            return;
        }

        tracked.Run.Training = job;
        Stage(tracked.Run, "train").Done = 1;
        tracked.Run.CheckpointVersion = job.CheckpointVersion;
        tracked.Run.State = job.State == JobState.Succeeded ? RunState.Succeeded : RunState.Failed;
        tracked.Run.Error = job.State == JobState.Succeeded ? string.Empty : $"training {job.State}: {job.Error}";
        await SaveAsync(tracked, job.State == JobState.Succeeded ? $"trained: checkpoint {job.CheckpointVersion}" : tracked.Run.Error, cancellationToken).ConfigureAwait(false);
    }

    private async Task OnDefaultPolicyAsync(TrainJob job, CancellationToken cancellationToken)
    {
        if (job.State != JobState.Succeeded)
        {
            foreach (var waiting in _runs.Values.Where(t => t.Progress.WaitingForPolicy && !IsFinal(t.Run.State)))
            {
                waiting.Run.State = RunState.Failed;
                waiting.Run.Error = $"the default policy could not be trained: {job.Error}";
                await SaveAsync(waiting, waiting.Run.Error, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        await policies.SetAliasAsync(DefaultPolicyAlias, job.CheckpointVersion, cancellationToken).ConfigureAwait(false);
        foreach (var waiting in _runs.Values.Where(t => t.Progress.WaitingForPolicy && !IsFinal(t.Run.State)).ToArray())
        {
            waiting.Progress.WaitingForPolicy = false;
            waiting.Run.Spec.Policy = new PolicyRef { Checkpoint = job.CheckpointVersion };
            await store.WriteAsync(ArtifactPaths.RunSpec(waiting.Run.RunId), waiting.Run.Spec.ToByteArray(), cancellationToken).ConfigureAwait(false);
            await SaveAsync(waiting, $"default policy {job.CheckpointVersion} ready: sampling", cancellationToken).ConfigureAwait(false);
            await DispatchSamplingAsync(waiting.Run.Spec, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DispatchSamplingAsync(RunSpec spec, CancellationToken cancellationToken)
    {
        foreach (var prompt in spec.Prompts)
        {
            var unit = new SampleUnit { RunId = spec.RunId, Prompt = prompt, Sampling = spec.Sampling, Policy = spec.Policy };
            await bus.PublishAsync(Queues.Sample, unit, Queues.UnitId(spec.RunId, prompt.PromptId, "sample"), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SaveAsync(Tracked tracked, string message, CancellationToken cancellationToken)
    {
        tracked.Run.Updated = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        await store.WriteAsync(ArtifactPaths.Run(tracked.Run.RunId), tracked.Run.ToByteArray(), cancellationToken).ConfigureAwait(false);
        await store.WriteAsync($"runs/{ArtifactPaths.Safe(tracked.Run.RunId)}/progress.json", JsonSerializer.SerializeToUtf8Bytes(tracked.Progress, ProgressJson), cancellationToken).ConfigureAwait(false);
        LogChange(logger, tracked.Run.RunId, tracked.Run.State, message);
        var change = new RunEvent { RunId = tracked.Run.RunId, Run = tracked.Run.Clone(), Message = message };
        foreach (var watcher in tracked.Watchers.Keys)
        {
            watcher.Writer.TryWrite(change);
        }
    }

    private Tracked Find(string runId) => _runs.TryGetValue(runId, out var tracked)
        ? tracked
        : throw new KeyNotFoundException($"No run '{runId}'.");

    private static StageProgress Stage(Run run, string stage) => run.Stages.First(s => s.Stage == stage);

    private static bool IsFinal(RunState state) => state is RunState.Succeeded or RunState.Failed or RunState.Cancelled;

    private RunSpec Validate(RunSpec spec) => RunSpecValidation.Normalize(spec, time);

    public void Dispose() => _gate.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} ({State}): {Change}")]
    private static partial void LogChange(ILogger logger, string runId, RunState state, string change);

    private sealed class Tracked(Run run, RunProgress progress)
    {
        public Run Run { get; } = run;

        public RunProgress Progress { get; } = progress;

        public ConcurrentDictionary<Channel<RunEvent>, bool> Watchers { get; } = new();
    }
}
