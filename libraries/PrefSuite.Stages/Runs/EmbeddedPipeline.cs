using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Denoising;
using PrefSuite.Stages.Sampling;
using PrefSuite.Stages.Scoring;
using PrefSuite.Stages.Selection;
using PrefSuite.Stages.Storage;
using PrefSuite.Stages.Training;

namespace PrefSuite.Stages.Runs;

/// <summary>
/// The whole pipeline in one process, no servers: the same stage handlers the services run, called in order.
/// Every stage's output is stored per prompt in the run's folder, so running the same run id again continues where
/// it stopped: stored samples, scores and datasets are reused, and training resumes from its checkpoint.
/// </summary>
public sealed class EmbeddedPipeline(IArtifactStore store, PolicyStore policies, IResponseSampler sampler, ScoringStage scoring, TimeProvider time)
{
    /// <summary>Prompts sampled together (and stored together) between progress reports.</summary>
    public int SamplingChunk { get; init; } = 32;

    /// <summary>SFT steps of the default policy when the model store has none.</summary>
    public int DefaultPolicySftSteps { get; init; } = 1500;

    /// <summary>
    /// Whether the sampler reads the run's policy. When it does not (an OpenAI-compatible server samples) and the run
    /// trains nothing, a run without a policy neither resolves nor trains one.
    /// </summary>
    public bool SamplerUsesPolicy { get; init; } = true;

    public async Task<Run> RunAsync(RunSpec spec, IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        progress ??= new Progress<PipelineProgress>();
        spec = await PrepareAsync(RunSpecValidation.Normalize(spec.Clone(), time), cancellationToken).ConfigureAwait(false);
        var run = new Run { RunId = spec.RunId, State = RunState.Running, Spec = spec, Created = Timestamp.FromDateTimeOffset(time.GetUtcNow()) };
        var prompts = spec.Prompts;

        spec.Policy = new PolicyRef { Checkpoint = await PolicyAsync(spec, progress, cancellationToken).ConfigureAwait(false) };
        await store.WriteAsync(ArtifactPaths.RunSpec(spec.RunId), spec.ToByteArray(), cancellationToken).ConfigureAwait(false);

        await SampleAsync(spec, progress, cancellationToken).ConfigureAwait(false);
        await ForEachAsync(spec, "sampled", "scored", "score", u => scoring.ScoreUnitAsync(u, cancellationToken: cancellationToken), progress, cancellationToken).ConfigureAwait(false);
        var lastStage = "scored";
        if (!spec.SkipDenoise)
        {
            await ForEachAsync(spec, "scored", "denoised", "denoise", u => Task.FromResult(DenoisingStage.DenoiseUnit(u)), progress, cancellationToken).ConfigureAwait(false);
            lastStage = "denoised";
        }

        var selection = new SelectionStage(store);
        var selected = 0;
        foreach (var prompt in prompts)
        {
            var unit = await ReadUnitAsync(spec.RunId, lastStage, prompt.PromptId, cancellationToken).ConfigureAwait(false);
            await selection.StoreUnitAsync(unit, cancellationToken).ConfigureAwait(false);
            progress.Report(new PipelineProgress("select", ++selected, prompts.Count, string.Empty));
        }

        var (summary, pairs, _) = await selection.SelectDatasetAsync(new DatasetSelectRequest { RunId = spec.RunId, Strategy = spec.Strategy, Dataset = spec.Dataset, PromptIds = { prompts.Select(p => p.PromptId) } }, cancellationToken).ConfigureAwait(false);
        run.Selection = summary;
        run.DatasetArtifact = pairs;
        progress.Report(new PipelineProgress("select-dataset", 1, 1, $"{summary.Kept} pairs kept of {summary.CandidatePairs} ({summary.RoutedToSft} routed to SFT)"));
        foreach (var stage in new[] { "sample", "score", "denoise", "select" })
        {
            run.Stages.Add(new StageProgress { Stage = stage, Done = stage == "denoise" && spec.SkipDenoise ? 0 : prompts.Count, Total = stage == "denoise" && spec.SkipDenoise ? 0 : prompts.Count });
        }

        if (spec.Training is not null)
        {
            run.State = RunState.Training;
            var job = await TrainAsync(spec, pairs, progress, cancellationToken).ConfigureAwait(false);
            run.Training = job;
            run.CheckpointVersion = job.CheckpointVersion;
            run.State = job.State == JobState.Succeeded ? RunState.Succeeded : RunState.Failed;
            run.Error = job.Error;
        }
        else
        {
            run.State = RunState.Succeeded;
        }

        run.Updated = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        await store.WriteAsync(ArtifactPaths.Run(spec.RunId), run.ToByteArray(), cancellationToken).ConfigureAwait(false);
        return run;
    }

    /// <summary>The job id of a run's preference training.</summary>
    public static string TrainingJobId(string runId) => $"{runId}-train";

    /// <summary>A run id used again must describe the same run: its stored units would not match another spec.</summary>
    private async Task<RunSpec> PrepareAsync(RunSpec spec, CancellationToken cancellationToken)
    {
        if (await store.ReadAsync(ArtifactPaths.RunSpec(spec.RunId), cancellationToken).ConfigureAwait(false) is not { } bytes)
        {
            return spec;
        }

        var stored = RunSpec.Parser.ParseFrom(bytes);
        var comparable = stored.Clone();
        if (spec.Policy is null || spec.Policy.Checkpoint.Length == 0)
        {
            comparable.Policy = spec.Policy; // the stored spec records the policy resolved the first time
        }

        if (!comparable.Equals(spec))
        {
            throw new InvalidRequestException("run_id", $"run '{spec.RunId}' already exists with other settings; resume it with the same settings or choose another run id");
        }

        return stored;
    }

    private async Task<string> PolicyAsync(RunSpec spec, IProgress<PipelineProgress> progress, CancellationToken cancellationToken)
    {
        if (!SamplerUsesPolicy && spec.Training is null && spec.Policy is not { Checkpoint.Length: > 0 })
        {
            return string.Empty;
        }

        if (spec.Policy is { Checkpoint.Length: > 0 } given)
        {
            await policies.ResolveFolderAsync(given.Checkpoint, cancellationToken).ConfigureAwait(false);
            return given.Checkpoint;
        }

        if (await policies.GetAliasAsync(RunCoordinator.DefaultPolicyAlias, cancellationToken).ConfigureAwait(false) is { } version)
        {
            progress.Report(new PipelineProgress("policy", 1, 1, $"default policy {version}"));
            return version;
        }

        var request = new TrainRequest { JobId = RunCoordinator.DefaultPolicyJob, DemoSft = true, Options = new TrainOptions { Steps = DefaultPolicySftSteps } };
        var job = await TrainingJobRunner.RunAsync(request, policies, store, new Relay(progress, "policy", "training the default policy (demo SFT)"), cancellationToken).ConfigureAwait(false);
        await policies.SetAliasAsync(RunCoordinator.DefaultPolicyAlias, job.CheckpointVersion, cancellationToken).ConfigureAwait(false);
        return job.CheckpointVersion;
    }

    private async Task SampleAsync(RunSpec spec, IProgress<PipelineProgress> progress, CancellationToken cancellationToken)
    {
        var missing = spec.Prompts.Where(p => !store.Exists(ArtifactPaths.StageUnit(spec.RunId, "sampled", p.PromptId))).ToArray();
        var done = spec.Prompts.Count - missing.Length;
        progress.Report(new PipelineProgress("sample", done, spec.Prompts.Count, done > 0 ? $"{done} prompts already sampled" : string.Empty));
        foreach (var chunk in missing.Chunk(SamplingChunk))
        {
            var (responses, _) = await sampler.SampleAsync(chunk, spec.Sampling, spec.Policy, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < chunk.Length; i++)
            {
                var unit = new PromptUnit { RunId = spec.RunId, Prompt = chunk[i] };
                unit.Responses.Add(responses[i]);
                await store.WriteAsync(ArtifactPaths.StageUnit(spec.RunId, "sampled", chunk[i].PromptId), unit.ToByteArray(), cancellationToken).ConfigureAwait(false);
            }

            done += chunk.Length;
            progress.Report(new PipelineProgress("sample", done, spec.Prompts.Count, string.Empty));
        }
    }

    private async Task ForEachAsync(RunSpec spec, string from, string to, string stage, Func<PromptUnit, Task<PromptUnit>> work, IProgress<PipelineProgress> progress, CancellationToken cancellationToken)
    {
        var done = 0;
        foreach (var prompt in spec.Prompts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var target = ArtifactPaths.StageUnit(spec.RunId, to, prompt.PromptId);
            if (!store.Exists(target))
            {
                var result = await work(await ReadUnitAsync(spec.RunId, from, prompt.PromptId, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                await store.WriteAsync(target, result.ToByteArray(), cancellationToken).ConfigureAwait(false);
            }

            progress.Report(new PipelineProgress(stage, ++done, spec.Prompts.Count, string.Empty));
        }
    }

    private async Task<TrainJob> TrainAsync(RunSpec spec, string pairs, IProgress<PipelineProgress> progress, CancellationToken cancellationToken)
    {
        var jobId = TrainingJobId(spec.RunId);
        if (await store.ReadAsync(ArtifactPaths.Job(jobId), cancellationToken).ConfigureAwait(false) is { } bytes && TrainJob.Parser.ParseFrom(bytes) is { State: JobState.Succeeded } finished)
        {
            progress.Report(new PipelineProgress("train", finished.TotalSteps, finished.TotalSteps, $"already trained: checkpoint {finished.CheckpointVersion}"));
            return finished;
        }

        var request = new TrainRequest
        {
            JobId = jobId,
            RunId = spec.RunId,
            BasePolicy = spec.Policy,
            Options = spec.Training,
            DatasetArtifact = pairs,
            EvaluationPrompts = spec.EvaluationPrompts,
            HeldOutPairs = spec.HeldOutPairs,
        };
        var job = await TrainingJobRunner.RunAsync(request, policies, store, new Relay(progress, "train", string.Empty), cancellationToken).ConfigureAwait(false);
        await store.WriteAsync(ArtifactPaths.Job(jobId), job.ToByteArray(), cancellationToken).ConfigureAwait(false);
        return job;
    }

    private async Task<PromptUnit> ReadUnitAsync(string runId, string stage, string promptId, CancellationToken cancellationToken) =>
        PromptUnit.Parser.ParseFrom(await store.ReadAsync(ArtifactPaths.StageUnit(runId, stage, promptId), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The {stage} unit of prompt '{promptId}' is missing from run '{runId}'."));

    private sealed class Relay(IProgress<PipelineProgress> progress, string stage, string message) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => progress.Report(new PipelineProgress(stage, value.Step, value.TotalSteps, message, value));
    }
}
