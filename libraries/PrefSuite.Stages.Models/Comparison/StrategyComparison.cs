using PrefSuite.Contracts.V1;
using PrefSuite.Data.Selection;
using PrefSuite.Science.Demo;
using PrefSuite.Models.Evaluation;
using PrefSuite.Models.Policy;
using PrefSuite.Models.Rewards;
using PrefSuite.Models.Training;
using PrefSuite.Stages.Caching;
using PrefSuite.Stages.Mapping;
using PrefSuite.Stages.Sampling;
using PrefSuite.Stages.Scoring;
using PrefSuite.Stages.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Comparison;

/// <summary>What one (variant, N) cell of a comparison measured in one repeat.</summary>
public sealed record ComparisonResult(
    string Variant,
    int N,
    int Repeat,
    int Pairs,
    int RoutedToSft,
    double MeanChosenReward,
    double MeanRejectedReward,
    double RewardAccuracy,
    double HeldOutReward,
    double HeldOutExact);

/// <summary>Settings of a strategy comparison.</summary>
public sealed record ComparisonSettings
{
    public required string Policy { get; init; }

    public required IReadOnlyList<SortingPrompt> Prompts { get; init; }

    public required IReadOnlyList<int> SampleGrid { get; init; }

    public required IReadOnlyList<ComparisonVariant> Variants { get; init; }

    public required IRewardScorer Scorer { get; init; }

    public PreferenceTrainingOptions Training { get; init; } = new();

    public int EvaluationPrompts { get; init; } = 200;

    /// <summary>
    /// Independent repeats of the whole grid: repeat r samples with seed + r, trains with seed + r and draws the random
    /// strategies' choices with their seed + r, so the spread of a cell over repeats shows how much of a difference is luck.
    /// </summary>
    public int Repeats { get; init; } = 1;

    public SamplingParams Sampling { get; init; } = new() { Temperature = 1, MaxNewTokens = 10, Seed = 9 };
}

/// <summary>
/// The measurable form of SCIENCE.md §8: the same prompts and samples through several constructions, each trained
/// briefly from the same policy and evaluated on the same held-out prompts. Samples are drawn once at the largest N;
/// a smaller N uses each prompt's first N samples, so the grid compares constructions, not sampling luck.
/// </summary>
public sealed class StrategyComparison(PolicyStore policies)
{
    public async Task<(EvaluationResult Baseline, IReadOnlyList<ComparisonResult> Results)> RunAsync(ComparisonSettings settings, IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        progress ??= new Progress<PipelineProgress>();
        var maxN = settings.SampleGrid.Max();
        if (settings.SampleGrid.Any(n => n < 2))
        {
            throw new InvalidRequestException("samples", "every N must be at least 2");
        }

        if (settings.Repeats < 1)
        {
            throw new InvalidRequestException("repeats", "must be at least 1");
        }

        var folder = await policies.ResolveFolderAsync(settings.Policy, cancellationToken).ConfigureAwait(false);
        using var reference = PolicyModel.Load(folder);
        var heldOut = SortingTask.Prompts(settings.EvaluationPrompts, Training.TrainingJobRunner.EvaluationSeed).Select(p => (p.Id, p.Text)).ToArray();
        var evaluationSampling = new SamplingOptions { Seed = Training.TrainingJobRunner.EvaluationSeed };
        var baseline = PolicyEvaluation.Evaluate(reference, heldOut, new SortingReward(), 4, evaluationSampling, cancellationToken);
        var results = new List<ComparisonResult>();
        var cells = settings.Repeats * settings.SampleGrid.Count * settings.Variants.Count;
        for (var repeat = 0; repeat < settings.Repeats; repeat++)
        {
            var shift = (ulong)repeat;
            var units = await SampleAndScoreAsync(settings, maxN, shift, progress, cancellationToken).ConfigureAwait(false);
            foreach (var n in settings.SampleGrid)
            {
                var truncated = units.Select(u => SelectionMapping.ToScoredPrompt(Truncate(u, n))).ToArray();
                foreach (var variant in settings.Variants)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var strategy = variant.Strategy with { Seed = variant.Strategy.Seed + shift };
                    var outcome = DatasetPairSelector.Select(truncated, new SelectOptions { Strategy = strategy, Dataset = variant.Dataset });
                    var pairs = outcome.Rows.Select(Training.TrainingJobRunner.ToTrainingPair).ToArray();
                    using var policy = PolicyModel.Load(folder);
                    var history = PreferenceTrainer.Train(policy, reference, pairs, settings.Training with
                    {
                        Losses = variant.Losses,
                        Seed = settings.Training.Seed + shift,
                        CheckpointFolder = null,
                        ReferenceCacheFolder = policies.LocalFolder(ArtifactPaths.ReferenceCache),
                    }, cancellationToken: cancellationToken);
                    var after = PolicyEvaluation.Evaluate(policy, heldOut, new SortingReward(), 4, evaluationSampling, cancellationToken);
                    var lastEpoch = history.Where(h => h.Epoch == history[^1].Epoch && double.IsFinite(h.RewardAccuracy)).ToArray();
                    results.Add(new ComparisonResult(
                        variant.Name, n, repeat, pairs.Length, outcome.Summary.RoutedToSft, outcome.Summary.MeanChosenReward, outcome.Summary.MeanRejectedReward,
                        lastEpoch.Length == 0 ? double.NaN : lastEpoch.Average(h => h.RewardAccuracy), after.MeanReward, after.SuccessRate));
                    progress.Report(new PipelineProgress("train+evaluate", results.Count, cells, $"{variant.Name}, N={n}, repeat {repeat + 1}: held-out reward {after.MeanReward:F3}"));
                }
            }
        }

        return (baseline, results);
    }

    /// <summary>Every prompt sampled maxN times (seed shifted by the repeat) and scored.</summary>
    private async Task<List<PromptUnit>> SampleAndScoreAsync(ComparisonSettings settings, int maxN, ulong shift, IProgress<PipelineProgress> progress, CancellationToken cancellationToken)
    {
        var prompts = settings.Prompts.Select(p => new Prompt { PromptId = p.Id, Text = p.Text }).ToArray();
        var parameters = settings.Sampling.Clone();
        parameters.N = maxN;
        parameters.Seed += shift;
        var sampler = new PolicySampler(policies);
        var scoring = new ScoringStage([settings.Scorer], new MemoryRewardCache());
        var units = new List<PromptUnit>();
        foreach (var chunk in prompts.Chunk(32))
        {
            var (responses, _) = await sampler.SampleAsync(chunk, parameters, new PolicyRef { Checkpoint = settings.Policy }, cancellationToken).ConfigureAwait(false);
            var unscored = chunk.Select((prompt, i) =>
            {
                var unit = new PromptUnit { RunId = "compare", Prompt = prompt };
                unit.Responses.Add(responses[i]);
                return unit;
            }).ToArray();
            units.AddRange(await scoring.ScoreUnitsAsync(unscored, cancellationToken: cancellationToken).ConfigureAwait(false));
            progress.Report(new PipelineProgress("sample+score", units.Count, prompts.Length, string.Empty));
        }

        return units;
    }

    private static PromptUnit Truncate(PromptUnit unit, int n)
    {
        var copy = unit.Clone();
        copy.Responses.Clear();
        copy.Responses.Add(unit.Responses.Where(r => r.SampleIndex < n));
        return copy;
    }
}
