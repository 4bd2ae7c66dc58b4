using System.Security.Cryptography;
using System.Text;
using PrefSuite.Contracts.V1;
using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;
using PrefSuite.Science.Demo;
using PrefSuite.Models.Evaluation;
using PrefSuite.Models.Policy;
using PrefSuite.Models.Rewards;
using PrefSuite.Models.Training;
using PrefSuite.Science.Randomness;
using PrefSuite.Science.Statistics;
using PrefSuite.Stages.Caching;
using PrefSuite.Stages.Mapping;
using PrefSuite.Stages.Sampling;
using PrefSuite.Stages.Scoring;
using PrefSuite.Stages.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Comparison;

/// <summary>What one (variant, N) cell of a comparison measured in one repeat.</summary>
/// <param name="RejectedGroundTruth">Mean ground-truth reward of the rejected responses trained with DPO.</param>
/// <param name="RejectedZ">Mean position of the DPO rejected in its prompt's rewards, (r − μ)/σ (population σ): how far into the tail it sits.</param>
/// <param name="SamplesHash">Content hash of the scored samples the variant selected from: equal for every variant of one (repeat, N).</param>
public sealed record ComparisonResult(
    string Variant,
    int N,
    int Repeat,
    int Pairs,
    int RoutedToSft,
    int Epochs,
    int Steps,
    double MeanChosenReward,
    double MeanRejectedReward,
    double RejectedGroundTruth,
    double RejectedZ,
    double RewardAccuracy,
    double HeldOutReward,
    double HeldOutExact,
    string SamplesHash);

/// <summary>One repeat's shared conditions: its starting policy, seeds, and that policy's held-out scores.</summary>
public sealed record ComparisonRepeat(int Repeat, string Policy, ulong SamplingSeed, ulong EvaluationSeed, EvaluationResult Start);

/// <summary>Everything a comparison measured.</summary>
public sealed record ComparisonOutcome(
    string Baseline,
    SortingTaskShape Task,
    IReadOnlyList<ComparisonVariant> Variants,
    IReadOnlyList<ComparisonRepeat> Repeats,
    IReadOnlyList<ComparisonResult> Results);

/// <summary>Settings of a strategy comparison.</summary>
public sealed record ComparisonSettings
{
    /// <summary>The starting policy of each repeat (and the frozen DPO reference); one policy is shared by every repeat.</summary>
    public required IReadOnlyList<string> Policies { get; init; }

    public required IReadOnlyList<SortingPrompt> Prompts { get; init; }

    public SortingTaskShape Task { get; init; } = SortingTaskShape.Standard;

    public required IReadOnlyList<int> SampleGrid { get; init; }

    /// <summary>The variants; the first is the baseline unless <see cref="Baseline"/> names another.</summary>
    public required IReadOnlyList<ComparisonVariant> Variants { get; init; }

    public string? Baseline { get; init; }

    public required IRewardScorer Scorer { get; init; }

    /// <summary>Training settings; <see cref="PreferenceTrainingOptions.Epochs"/> is the baseline's epochs.</summary>
    public PreferenceTrainingOptions Training { get; init; } = new();

    public int EvaluationPrompts { get; init; } = 200;

    /// <summary>
    /// Repeats of the whole grid. Repeat r samples with seed + r, trains with seed + r, draws random choices with their
    /// seed + r, starts from its own policy, and evaluates on held-out prompts and samples drawn from the evaluation seed
    /// + r. Every variant of a repeat shares all of these, so per-repeat differences between variants are paired.
    /// </summary>
    public int Repeats { get; init; } = 1;

    public SamplingParams Sampling { get; init; } = new() { Temperature = 1, MaxNewTokens = 10, Seed = 9 };
}

/// <summary>
/// The measurable form of SCIENCE.md §8 as a paired experiment: in each repeat, the same prompts and scored samples go
/// through every construction, each is trained from the same starting policy for the same number of optimizer steps
/// (unless a variant says otherwise) and evaluated on the same held-out prompts and evaluation samples. Samples are drawn
/// once at the largest N; a smaller N uses each prompt's first N samples.
/// </summary>
public sealed class StrategyComparison(PolicyStore policies)
{
    /// <summary>The evaluation seed of repeat 0 (later repeats add r).</summary>
    public const ulong EvaluationSeed = Training.TrainingJobRunner.EvaluationSeed;

    public async Task<ComparisonOutcome> RunAsync(ComparisonSettings settings, IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
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

        if (settings.Policies.Count != 1 && settings.Policies.Count != settings.Repeats)
        {
            throw new InvalidRequestException("policies", $"give one starting policy or one per repeat ({settings.Repeats}), not {settings.Policies.Count}");
        }

        var baseline = settings.Variants.FirstOrDefault(v => v.Name == (settings.Baseline ?? settings.Variants[0].Name))
            ?? throw new InvalidRequestException("baseline", $"'{settings.Baseline}' is not one of the variants");
        var repeats = new List<ComparisonRepeat>();
        var results = new List<ComparisonResult>();
        var cells = settings.Repeats * settings.SampleGrid.Count * settings.Variants.Count;
        for (var repeat = 0; repeat < settings.Repeats; repeat++)
        {
            var shift = (ulong)repeat;
            var policyName = settings.Policies[settings.Policies.Count == 1 ? 0 : repeat];
            var folder = await policies.ResolveFolderAsync(policyName, cancellationToken).ConfigureAwait(false);
            using var reference = PolicyModel.Load(folder);
            var evaluation = Evaluation(settings, shift);
            var start = Evaluate(reference, evaluation, cancellationToken);
            repeats.Add(new ComparisonRepeat(repeat, policyName, settings.Sampling.Seed + shift, EvaluationSeed + shift, start));
            var units = await SampleAndScoreAsync(settings, policyName, maxN, shift, progress, cancellationToken).ConfigureAwait(false);
            foreach (var n in settings.SampleGrid)
            {
                var truncatedUnits = units.Select(u => Truncate(u, n)).ToArray();
                var samplesHash = SamplesHash(truncatedUnits);
                var truncated = truncatedUnits.Select(u => SelectionMapping.ToScoredPrompt(u)).ToArray();
                var context = new SampleContext(truncatedUnits);
                var baselinePairs = Select(truncated, baseline, shift).Rows.Count;
                var targetSteps = EqualCompute.Steps(baselinePairs, settings.Training.BatchSize, settings.Training.Epochs);
                foreach (var variant in settings.Variants)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var outcome = Select(truncated, variant, shift);
                    var rows = outcome.Rows;
                    var routed = outcome.Summary.RoutedToSft;
                    if (variant.RandomSftControl)
                    {
                        var routing = variant with { Dataset = variant.Dataset with { RouteSmallMargins = true }, RandomSftControl = false };
                        routed = Math.Min(rows.Count, Select(truncated, routing, shift).Summary.RoutedToSft);
                        rows = RouteAtRandom(rows, routed, variant.Strategy.Seed + shift);
                    }

                    if (variant.Order == Models.Training.PairOrder.AsGiven && !variant.Dataset.RouteSmallMargins)
                    {
                        // Routing writes its output easy → hard already; without it the curriculum is made here (stable sort).
                        rows = [.. rows.OrderByDescending(r => r.ScoreChosen - r.ScoreRejected)];
                    }

                    var pairs = rows.Select(Training.TrainingJobRunner.ToTrainingPair).ToArray();
                    var epochs = variant.EqualSteps ? EqualCompute.Epochs(targetSteps, pairs.Length, settings.Training.BatchSize) : settings.Training.Epochs;
                    using var policy = PolicyModel.Load(folder);
                    var steps = 0;
                    var accuracy = double.NaN;
                    if (pairs.Length > 0)
                    {
                        var history = PreferenceTrainer.Train(policy, reference, pairs, settings.Training with
                        {
                            Losses = variant.Losses,
                            Loss = variant.Beta1 is { } beta1 ? settings.Training.Loss with { Beta1 = beta1 } : settings.Training.Loss,
                            Epochs = epochs,
                            Order = variant.Order,
                            Seed = settings.Training.Seed + shift,
                            CheckpointFolder = null,
                            ReferenceCacheFolder = policies.LocalFolder(ArtifactPaths.ReferenceCache),
                        }, cancellationToken: cancellationToken);
                        steps = history.Count;
                        var lastEpoch = history.Where(h => h.Epoch == history[^1].Epoch && double.IsFinite(h.RewardAccuracy)).ToArray();
                        accuracy = lastEpoch.Length == 0 ? double.NaN : lastEpoch.Average(h => h.RewardAccuracy);
                    }

                    var after = Evaluate(policy, evaluation, cancellationToken);
                    var dpoRows = rows.Where(r => r.Route != "sft").ToArray();
                    results.Add(new ComparisonResult(
                        variant.Name, n, repeat, pairs.Length, routed, epochs, steps, outcome.Summary.MeanChosenReward, outcome.Summary.MeanRejectedReward,
                        dpoRows.Length == 0 ? double.NaN : dpoRows.Average(context.RejectedGroundTruth),
                        dpoRows.Length == 0 ? double.NaN : dpoRows.Average(context.RejectedZ),
                        accuracy, after.MeanReward, after.SuccessRate, samplesHash));
                    progress.Report(new PipelineProgress("train+evaluate", results.Count, cells, $"{variant.Name}, N={n}, repeat {repeat + 1}: held-out reward {after.MeanReward:F3}"));
                }
            }
        }

        return new ComparisonOutcome(baseline.Name, settings.Task, settings.Variants, repeats, results);
    }

    /// <summary>Repeat r's held-out prompts and evaluation sampling: both drawn from the evaluation seed + r.</summary>
    private static (IReadOnlyList<(string Id, string Text)> Prompts, SamplingOptions Sampling) Evaluation(ComparisonSettings settings, ulong shift) =>
        (SortingTask.Prompts(settings.EvaluationPrompts, EvaluationSeed + shift, settings.Task).Select(p => (p.Id, p.Text)).ToArray(),
         new SamplingOptions { Seed = EvaluationSeed + shift, MaxNewTokens = settings.Task.MaxNewTokens });

    private static EvaluationResult Evaluate(PolicyModel policy, (IReadOnlyList<(string Id, string Text)> Prompts, SamplingOptions Sampling) evaluation, CancellationToken cancellationToken) =>
        PolicyEvaluation.Evaluate(policy, evaluation.Prompts, new SortingReward(), 4, evaluation.Sampling, cancellationToken);

    private static PairSelectionOutcome Select(IReadOnlyList<ScoredPrompt> prompts, ComparisonVariant variant, ulong shift) =>
        DatasetPairSelector.Select(prompts, new SelectOptions { Strategy = variant.Strategy with { Seed = variant.Strategy.Seed + shift }, Dataset = variant.Dataset });

    /// <summary>The rows with <paramref name="count"/> of them, drawn at random (seeded), routed to SFT on the chosen.</summary>
    public static IReadOnlyList<PairRow> RouteAtRandom(IReadOnlyList<PairRow> rows, int count, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var indices = Enumerable.Range(0, rows.Count).ToArray();
        var random = new SplitMix64(seed ^ 0x5F7A_11D0_C0DE_0001UL);
        for (var i = 0; i < count; i++)
        {
            var j = i + random.NextInt(indices.Length - i);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }

        var toSft = indices.Take(count).ToHashSet();
        return rows.Select((r, i) => toSft.Contains(i) ? r with { Route = "sft" } : r with { Route = "dpo" }).ToArray();
    }

    /// <summary>Every prompt sampled maxN times (seed shifted by the repeat) from the repeat's policy, and scored.</summary>
    private async Task<List<PromptUnit>> SampleAndScoreAsync(ComparisonSettings settings, string policy, int maxN, ulong shift, IProgress<PipelineProgress> progress, CancellationToken cancellationToken)
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
            var (responses, _) = await sampler.SampleAsync(chunk, parameters, new PolicyRef { Checkpoint = policy }, cancellationToken).ConfigureAwait(false);
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

    /// <summary>SHA-256 (first 16 hex digits) over every prompt's id and its responses' index, text, finish and reward.</summary>
    private static string SamplesHash(IReadOnlyList<PromptUnit> units)
    {
        var text = new StringBuilder();
        foreach (var unit in units)
        {
            text.Append(unit.Prompt.PromptId).Append('\u0001');
            foreach (var r in unit.Responses)
            {
                text.Append(r.SampleIndex).Append('\u0002').Append(r.Text).Append('\u0002').Append(r.FinishReason).Append('\u0002')
                    .Append(r.Reward?.Reward.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append('\u0003');
            }
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    /// <summary>Per prompt: its responses' finish reasons and the mean and σ of their rewards, to place a rejected response.</summary>
    private sealed class SampleContext
    {
        private readonly Dictionary<string, (string Text, Dictionary<string, bool> Ended, double Mean, double Sigma)> _prompts = [];

        public SampleContext(IReadOnlyList<PromptUnit> units)
        {
            foreach (var unit in units)
            {
                var rewards = unit.Responses.Select(r => r.Reward.Reward).ToArray();
                var statistics = RewardStatistics.Compute(rewards, SigmaKind.Population);
                var ended = new Dictionary<string, bool>();
                foreach (var r in unit.Responses)
                {
                    ended.TryAdd(r.Text, r.FinishReason == "eos");
                }

                _prompts[unit.Prompt.PromptId] = (unit.Prompt.Text, ended, statistics.Mean, statistics.StdDev);
            }
        }

        public double RejectedGroundTruth(PairRow row)
        {
            var prompt = _prompts[row.PromptId!];
            return SortingTask.Reward(prompt.Text, row.Rejected, prompt.Ended.GetValueOrDefault(row.Rejected, true));
        }

        public double RejectedZ(PairRow row)
        {
            var prompt = _prompts[row.PromptId!];
            return prompt.Sigma > 0 ? (row.ScoreRejected - prompt.Mean) / prompt.Sigma : 0;
        }
    }
}

/// <summary>Optimizer steps of preference training, and the epochs that give a smaller dataset the same number of steps.</summary>
public static class EqualCompute
{
    /// <summary>Steps of <paramref name="epochs"/> epochs over <paramref name="pairs"/> pairs: ⌈pairs / batch⌉ per epoch, as the trainer takes them.</summary>
    public static int Steps(int pairs, int batchSize, int epochs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pairs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return (pairs + batchSize - 1) / batchSize * epochs;
    }

    /// <summary>
    /// The epochs over <paramref name="pairs"/> pairs whose steps come nearest <paramref name="targetSteps"/> (at least
    /// one): equal when a whole number of epochs reaches the target, otherwise within half an epoch of it.
    /// </summary>
    public static int Epochs(int targetSteps, int pairs, int batchSize)
    {
        var perEpoch = Steps(pairs, batchSize, 1);
        return perEpoch == 0 ? 1 : Math.Max(1, (int)Math.Round((double)targetSteps / perEpoch, MidpointRounding.AwayFromZero));
    }
}
