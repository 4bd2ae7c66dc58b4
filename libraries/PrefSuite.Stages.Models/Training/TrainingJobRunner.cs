using PrefSuite.Contracts.V1;
using PrefSuite.Data.Formats;
using PrefSuite.Science.Demo;
using PrefSuite.Models.Evaluation;
using PrefSuite.Models.HuggingFace;
using PrefSuite.Models.Policy;
using PrefSuite.Models.Rewards;
using PrefSuite.Models.Training;
using PrefSuite.Science.Routing;
using PrefSuite.Stages.Mapping;
using PrefSuite.Stages.Storage;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Training;

/// <summary>Runs one training job to a registered checkpoint: SFT on the demo corpus, or preference training on pairs.</summary>
public static class TrainingJobRunner
{
    /// <summary>The held-out demo prompts used to evaluate training (never used for training).</summary>
    public const ulong EvaluationSeed = 999;

    public static async Task<TrainJob> RunAsync(TrainRequest request, PolicyStore policies, IArtifactStore store, IProgress<TrainProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(store);
        var job = new TrainJob
        {
            JobId = request.JobId, RunId = request.RunId, State = JobState.Running, RewardBefore = double.NaN, RewardAfter = double.NaN, SuccessBefore = double.NaN, SuccessAfter = double.NaN,
            HeldOutAccuracy = double.NaN, HeldOutMargin = double.NaN, FinalLoss = double.NaN,
        };
        var baseReference = request.BasePolicy?.Checkpoint ?? string.Empty;
        request.Options ??= new TrainOptions();
        var loadOptions = new PolicyLoadOptions { Lora = Lora(request.Options.Lora, request.Options.Seed) };
        using var policy = request.DemoSft && baseReference.Length == 0
            ? PolicyModel.Create(new PolicyConfig(), (long)request.Options.Seed)
            : PolicyModel.Load(await policies.ResolveFolderAsync(baseReference.Length == 0 ? "default" : baseReference, cancellationToken).ConfigureAwait(false), options: loadOptions);
        if (loadOptions.Lora is not null && policy.HuggingFace is null)
        {
            throw new InvalidRequestException("options.lora", "LoRA trains Hugging Face policies; the built-in policy trains in full");
        }

        var parent = policy.ContentHash;
        var heldOut = request.EvaluationPrompts > 0 && policy.BuiltInConfig is not null
            ? SortingTask.Prompts(request.EvaluationPrompts, EvaluationSeed).Select(p => (p.Id, p.Text)).ToArray()
            : null;
        if (heldOut is not null)
        {
            var before = Evaluate(policy, heldOut, cancellationToken);
            (job.RewardBefore, job.SuccessBefore) = (before.MeanReward, before.SuccessRate);
        }

        var checkpoints = policies.LocalFolder($"jobs/{ArtifactPaths.Safe(request.JobId)}-checkpoint");
        var history = new List<TrainProgress>();
        var report = new Progress(job, new Recording(history, progress));
        string stage;
        if (request.DemoSft)
        {
            var options = SftOptions(request.Options) with { CheckpointFolder = checkpoints, CheckpointEvery = 100 };
            await Task.Run(() => SftTrainer.Train(policy, new NoisySortingSource(request.Options.Seed + 1), options, report, cancellationToken), cancellationToken).ConfigureAwait(false);
            stage = SftTrainer.Stage;
        }
        else
        {
            var (pairs, heldOutPairs) = HeldOutSplit.Split(await PairsAsync(request, store, policies, cancellationToken).ConfigureAwait(false), request.HeldOutPairs, request.Options.Seed);
            pairs = Subset(pairs, request.SubsetFraction, request.Options.Seed);
            var warmup = request.ImplicitWarmup ? await ImplicitWarmup.StartAsync(policy, request.RunId, store, cancellationToken).ConfigureAwait(false) : null;
            ReferenceLogProbs? heldOutReference = null;
            if (heldOutPairs.Count > 0)
            {
                heldOutReference = HeldOutSplit.LogProbs(policy, heldOutPairs);
            }

            var options = PreferenceOptions(request.Options) with
            {
                Order = Order(request.Options.PairOrder, pairs),
                CheckpointFolder = checkpoints,
                CheckpointEvery = 50,
                ReferenceCacheFolder = policies.LocalFolder(ArtifactPaths.ReferenceCache),
            };
            try
            {
                // The starting policy is the frozen reference: its log-probs are computed before the first step.
                await Task.Run(() => PreferenceTrainer.Train(policy, policy, pairs, options, report, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException error)
            {
                throw new InvalidRequestException("pairs", error.Message);
            }

            stage = PreferenceTrainer.Stage;
            if (warmup is not null)
            {
                await warmup.FinishAsync(policy, cancellationToken).ConfigureAwait(false);
            }

            if (heldOutReference is { } before)
            {
                var after = HeldOutSplit.LogProbs(policy, heldOutPairs);
                (job.HeldOutAccuracy, job.HeldOutMargin) = HeldOutSplit.Accuracy(before, after, options.Loss.Beta);
                job.HeldOutPairs = heldOutPairs.Count;
            }
        }

        if (heldOut is not null)
        {
            var after = Evaluate(policy, heldOut, cancellationToken);
            (job.RewardAfter, job.SuccessAfter) = (after.MeanReward, after.SuccessRate);
        }

        if (history.Count > 0)
        {
            job.FinalLoss = history[^1].Loss;
        }

        job.CheckpointVersion = await policies.RegisterAsync(policy, stage, parent, cancellationToken).ConfigureAwait(false);
        await store.WriteAsync(ArtifactPaths.TrainingHistory(request.JobId), System.Text.Encoding.UTF8.GetBytes(
            string.Concat(history.Select(h => Google.Protobuf.JsonFormatter.Default.Format(h) + "\n"))), cancellationToken).ConfigureAwait(false);
        job.State = JobState.Succeeded;
        if (Directory.Exists(checkpoints))
        {
            Directory.Delete(checkpoints, recursive: true);
        }

        return job;
    }

    /// <summary>A seeded random share of the pairs (at least one); all of them for a fraction of 0 or 1.</summary>
    public static IReadOnlyList<TrainingPair> Subset(IReadOnlyList<TrainingPair> pairs, double fraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (fraction is <= 0 or >= 1 || pairs.Count == 0)
        {
            return pairs;
        }

        var order = Enumerable.Range(0, pairs.Count).ToArray();
        var rng = Science.Randomness.SplitMix64.ForKey(seed, 0x5355425345545UL);
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        var take = Math.Max(1, (int)Math.Round(fraction * pairs.Count));
        return [.. order.Take(take).Order().Select(i => pairs[i])];
    }

    private static EvaluationResult Evaluate(PolicyModel policy, (string Id, string Text)[] prompts, CancellationToken cancellationToken) =>
        PolicyEvaluation.Evaluate(policy, prompts, new SortingReward(), 4, new SamplingOptions { Seed = EvaluationSeed }, cancellationToken);

    private static async Task<IReadOnlyList<TrainingPair>> PairsAsync(TrainRequest request, IArtifactStore store, PolicyStore policies, CancellationToken cancellationToken)
    {
        if (request.Pairs.Count > 0)
        {
            return request.Pairs.Select(p => new TrainingPair(PromptMapping.ToText(p.Prompt), p.Chosen, p.Rejected, p.ScoreChosen, p.ScoreRejected, p.Route == Route.Sft ? PairRoute.Sft : PairRoute.Dpo)).ToArray();
        }

        var rows = await DatasetRowsAsync(request.DatasetArtifact, store, policies, cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            throw new InvalidRequestException("dataset_artifact", "the dataset has no pairs");
        }

        return rows.Select(ToTrainingPair).ToArray();
    }

    /// <summary>The pair rows of a dataset artifact (read in place from a local store, else from a local copy).</summary>
    private static async Task<IReadOnlyList<PairRow>> DatasetRowsAsync(string artifact, IArtifactStore store, PolicyStore policies, CancellationToken cancellationToken)
    {
        string? path = null;
        try
        {
            path = ArtifactPath.Check(artifact, "dataset_artifact");
        }
        catch (ArgumentException)
        {
        }

        if (path is null || !await store.ExistsAsync(path, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidRequestException("dataset_artifact", $"'{artifact}' is not in the artifact store; give pairs or a dataset");
        }

        if (store is ILocalArtifactStore local)
        {
            return await PairRowReader.ReadAllAsync(local.LocalPath(path), cancellationToken).ConfigureAwait(false);
        }

        var copy = Path.Combine(policies.LocalFolder("datasets"), $"{Guid.NewGuid():N}.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        try
        {
            var source = await store.OpenReadAsync(path, cancellationToken).ConfigureAwait(false) ?? throw new InvalidRequestException("dataset_artifact", $"'{artifact}' vanished");
            await using (source.ConfigureAwait(false))
            {
                var target = File.Create(copy);
                await using (target.ConfigureAwait(false))
                {
                    await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                }
            }

            return await PairRowReader.ReadAllAsync(copy, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    /// <summary>
    /// A dataset row as training reads it — the one mapping from pair rows to training pairs, used by runs and by
    /// <c>prefsuite compare</c> alike: the prompt as given (text, or the conversation for the policy's template).
    /// </summary>
    public static TrainingPair ToTrainingPair(PairRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new TrainingPair(row.Prompt, row.Chosen, row.Rejected, row.ScoreChosen, row.ScoreRejected, row.Route == "sft" ? PairRoute.Sft : PairRoute.Dpo);
    }

    /// <summary>The pair order: as asked, or for an unspecified order the curriculum when the dataset was routed.</summary>
    public static Models.Training.PairOrder Order(Contracts.V1.PairOrder order, IReadOnlyList<TrainingPair> pairs) => order switch
    {
        Contracts.V1.PairOrder.Shuffled => Models.Training.PairOrder.Shuffled,
        Contracts.V1.PairOrder.Curriculum => Models.Training.PairOrder.AsGiven,
        _ => pairs.Any(p => p.Route == PairRoute.Sft) ? Models.Training.PairOrder.AsGiven : Models.Training.PairOrder.Shuffled,
    };

    /// <summary>LoRA settings from the request (null: full fine-tuning), zero values meaning PEFT-like defaults.</summary>
    public static LoraSettings? Lora(LoraOptions? options, ulong seed = 0)
    {
        if (options is null)
        {
            return null;
        }

        var defaults = new LoraSettings();
        var settings = defaults with
        {
            Rank = options.Rank > 0 ? options.Rank : defaults.Rank,
            Alpha = options.Alpha > 0 ? options.Alpha : defaults.Alpha,
            Dropout = options.HasDropout ? options.Dropout : defaults.Dropout,
            TargetModules = options.TargetModules.Count > 0 ? [.. options.TargetModules] : defaults.TargetModules,
            Seed = seed,
        };
        try
        {
            settings.ResolvedTargets();
        }
        catch (ArgumentException error)
        {
            throw new InvalidRequestException("options.lora.target_modules", error.Message);
        }

        return settings is { Rank: <= 4096, Dropout: >= 0 and < 1 } ? settings : throw new InvalidRequestException("options.lora", "rank must be at most 4096 and dropout in [0, 1)");
    }

    /// <summary>SFT settings from the request, zero values meaning the demo defaults.</summary>
    public static SftOptions SftOptions(TrainOptions? options)
    {
        options ??= new TrainOptions();
        var defaults = new SftOptions();
        return defaults with
        {
            Steps = options.Steps > 0 ? options.Steps : defaults.Steps,
            BatchSize = options.BatchSize > 0 ? options.BatchSize : defaults.BatchSize,
            LearningRate = options.LearningRate > 0 ? options.LearningRate : defaults.LearningRate,
            WarmupSteps = options.WarmupSteps > 0 ? options.WarmupSteps : defaults.WarmupSteps,
            WeightDecay = options.WeightDecay > 0 ? options.WeightDecay : defaults.WeightDecay,
            Seed = options.Seed,
        };
    }

    /// <summary>Preference-training settings from the request: zero values mean the defaults, except the optional loss constants and weights (<see cref="LossOptionsMapping"/>).</summary>
    public static PreferenceTrainingOptions PreferenceOptions(TrainOptions? options)
    {
        options ??= new TrainOptions();
        var defaults = new PreferenceTrainingOptions();
        return defaults with
        {
            Losses = LossOptionsMapping.Terms(options, defaults.Losses),
            Loss = LossOptionsMapping.Settings(options),
            Epochs = options.Epochs > 0 ? options.Epochs : defaults.Epochs,
            BatchSize = options.BatchSize > 0 ? options.BatchSize : defaults.BatchSize,
            LearningRate = options.LearningRate > 0 ? options.LearningRate : defaults.LearningRate,
            WarmupSteps = options.WarmupSteps > 0 ? options.WarmupSteps : defaults.WarmupSteps,
            WeightDecay = options.WeightDecay,
            Seed = options.Seed,
            GradientAccumulation = Math.Max(1, options.GradientAccumulation),
        };
    }

    private sealed class Recording(List<TrainProgress> history, IProgress<TrainProgress> sink) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value)
        {
            history.Add(value);
            sink.Report(value);
        }
    }

    private sealed class Progress(TrainJob job, IProgress<TrainProgress> sink) : IProgress<StepMetrics>
    {
        public void Report(StepMetrics value)
        {
            job.Step = value.Step;
            job.TotalSteps = value.TotalSteps;
            sink.Report(new TrainProgress
            {
                JobId = job.JobId,
                State = JobState.Running,
                Step = value.Step,
                TotalSteps = value.TotalSteps,
                Loss = value.Loss,
                RewardAccuracy = value.RewardAccuracy,
                MeanMargin = value.MeanMargin,
                LearningRate = value.LearningRate,
                ChosenLogprob = value.ChosenLogProb,
                RejectedLogprob = value.RejectedLogProb,
            });
        }
    }
}
