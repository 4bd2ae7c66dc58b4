using PrefSuite.Science.Losses;
using System.Security.Cryptography;
using System.Text;
using PrefSuite.Models.Policy;
using PrefSuite.Science.Randomness;
using PrefSuite.Science.Routing;
using static TorchSharp.torch;

namespace PrefSuite.Models.Training;

/// <summary>
/// Trains the policy on preference pairs with any weighted combination of the DPO-family losses (SCIENCE.md §1), against a
/// frozen reference whose log-probs are computed once and cached. Pairs routed to SFT train the chosen response's NLL.
/// </summary>
public static class PreferenceTrainer
{
    public const string Stage = "dpo";

    public static IReadOnlyList<StepMetrics> Train(
        PolicyModel policy,
        PolicyModel reference,
        IReadOnlyList<TrainingPair> pairs,
        PreferenceTrainingOptions options,
        IProgress<StepMetrics>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(options);
        Validate(pairs, options);

        var (referenceChosen, referenceRejected, _) = ReferenceLogProbCache.GetOrCompute(reference, pairs, options.ReferenceCacheFolder);
        var dataHash = DataHash(reference, pairs, options);
        using var optimizer = new FlatAdamW(policy.TrainableParameters(), options.LearningRate, options.WeightDecay);
        var resumed = options.Resume ? TrainerCheckpoints.TryResume(options.CheckpointFolder, policy, optimizer, Stage, dataHash) : null;
        var history = resumed?.History.ToList() ?? [];

        var stepsPerEpoch = (pairs.Count + options.BatchSize - 1) / options.BatchSize;
        var totalSteps = stepsPerEpoch * options.Epochs;
        var schedule = new LearningRateSchedule(options.LearningRate, options.WarmupSteps, totalSteps, options.Cosine);
        policy.Network.train();
        for (var step = resumed?.Step ?? 0; step < totalSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var epoch = step / stepsPerEpoch;
            var order = options.Order == PairOrder.AsGiven ? Enumerable.Range(0, pairs.Count).ToArray() : EpochOrder(pairs.Count, options.Seed, epoch);
            var offset = (step % stepsPerEpoch) * options.BatchSize;
            var indices = order.Skip(offset).Take(options.BatchSize).ToArray();
            var rate = schedule.At(step);
            optimizer.LearningRate = rate;

            var metrics = Step(policy, optimizer, pairs, indices, referenceChosen, referenceRejected, options) with
            {
                Step = step + 1,
                TotalSteps = totalSteps,
                Epoch = epoch + 1,
                LearningRate = rate,
            };
            history.Add(metrics);
            progress?.Report(metrics);
            var last = step + 1 == totalSteps;
            if (options.CheckpointFolder is not null && (last || (options.CheckpointEvery > 0 && (step + 1) % options.CheckpointEvery == 0)))
            {
                TrainerCheckpoints.Save(options.CheckpointFolder, policy, optimizer, new TrainerState(Stage, step + 1, totalSteps, 0, dataHash, history));
            }
        }

        policy.Network.eval();
        return history;
    }

    private static StepMetrics Step(PolicyModel policy, FlatAdamW optimizer, IReadOnlyList<TrainingPair> pairs, int[] indices, double[] referenceChosen, double[] referenceRejected, PreferenceTrainingOptions options)
    {
        optimizer.ZeroGrad();
        var micro = (indices.Length + options.GradientAccumulation - 1) / options.GradientAccumulation;
        // The step's sums stay on the device (loss, DPO pairs, correct, margin, chosen, rejected) and are read once at
        // the end: reading them per micro-batch would wait for each backward pass before the next could be queued.
        using var totals = zeros(6, ScalarType.Float32, policy.Device);
        for (var start = 0; start < indices.Length; start += micro)
        {
            var part = indices.AsSpan(start, Math.Min(micro, indices.Length - start)).ToArray();
            var n = part.Length;
            using var scope = NewDisposeScope();
            var batchPairs = part.Select(i => pairs[i]).ToArray();
            var prompts = batchPairs.Select(p => policy.EncodePrompt(p.Prompt)).ToArray();
            var chosenTokens = batchPairs.Select(p => policy.EncodeResponse(p.Prompt, p.Chosen));
            var rejectedTokens = batchPairs.Select(p => policy.EncodeResponse(p.Prompt, p.Rejected));

            // Chosen and rejected in one forward pass (rows 0..n-1 and n..2n-1): right padding leaves each row's values as
            // they would be alone, and one batch of 2n rows runs faster than two of n.
            using var batch = SequenceBatch.Create([.. prompts, .. prompts], [.. chosenTokens, .. rejectedTokens], policy.Tokens.PadId, policy.Context, policy.Device);
            var sums = ResponseLogProbs.Sum(policy.Network, batch);
            var chosen = sums[TensorIndex.Slice(0, n)];
            var rejected = sums[TensorIndex.Slice(n, 2 * n)];
            var refChosen = tensor(part.Select(i => (float)referenceChosen[i]).ToArray(), device: policy.Device);
            var refRejected = tensor(part.Select(i => (float)referenceRejected[i]).ToArray(), device: policy.Device);
            var h = (chosen - refChosen) - (rejected - refRejected);
            var gap = tensor(batchPairs.Select(p => (float)(p.ScoreChosen - p.ScoreRejected)).ToArray(), device: policy.Device);
            var chosenNll = -chosen / tensor(batch.ResponseLengths.Take(n).Select(l => (float)l).ToArray(), device: policy.Device);
            var isDpo = tensor(batchPairs.Select(p => p.Route == PairRoute.Dpo ? 1f : 0f).ToArray(), device: policy.Device);

            var preference = zeros_like(h);
            foreach (var term in options.Losses)
            {
                preference = preference + (term.Weight * PreferenceLosses.PerPair(term.Kind, h, gap, chosenNll, options.Loss));
            }

            // Each micro-batch adds its share of the whole batch's mean, so accumulation gives the same gradient as one batch.
            var perPair = (isDpo * preference) + ((1 - isDpo) * chosenNll);
            var share = perPair.sum() / indices.Length;
            share.backward();

            using (no_grad())
            {
                var hDetached = h.detach();
                totals.add_(stack([
                    share.detach(),
                    isDpo.sum(),
                    ((hDetached > 0).to_type(ScalarType.Float32) * isDpo).sum(),
                    (hDetached * isDpo).sum(),
                    chosen.detach().sum(),
                    rejected.detach().sum(),
                ]));
            }
        }

        if (options.GradientClip > 0)
        {
            optimizer.ClipGradNorm(options.GradientClip);
        }

        optimizer.Step();
        var values = totals.cpu().data<float>().ToArray();
        var (loss, dpoCount, correct, marginSum, chosenSum, rejectedSum) = (values[0], values[1], values[2], values[3], values[4], values[5]);
        var accuracy = dpoCount == 0 ? double.NaN : correct / dpoCount;
        var margin = dpoCount == 0 ? double.NaN : options.Loss.Beta * marginSum / dpoCount;
        return new StepMetrics(Stage, 0, 0, 0, loss, accuracy, margin, (double)chosenSum / indices.Length, (double)rejectedSum / indices.Length, 0);
    }

    /// <summary>The pair order of one epoch: a seeded Fisher–Yates permutation, so a resumed run sees the same batches.</summary>
    public static int[] EpochOrder(int count, ulong seed, int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var rng = SplitMix64.ForKey(seed, (ulong)epoch + 1);
        for (var i = count - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    private static void Validate(IReadOnlyList<TrainingPair> pairs, PreferenceTrainingOptions options)
    {
        if (pairs.Count == 0)
        {
            throw new ArgumentException("There are no pairs to train on.", nameof(pairs));
        }

        if (options.Losses.Count == 0)
        {
            throw new ArgumentException("At least one loss term is needed.", nameof(options));
        }

        if (options.Losses.FirstOrDefault(t => !(t.Weight >= 0 && double.IsFinite(t.Weight))) is { } negative)
        {
            throw new ArgumentException($"The {LossTerm.NameOf(negative.Kind)} loss weight must be a finite number at least 0, got {negative.Weight}.", nameof(options));
        }

        if (options.Loss.Problems() is { Count: > 0 } problems)
        {
            throw new ArgumentException($"Loss constant {problems[0].Property} {problems[0].Problem}.", nameof(options));
        }

        if (options.Losses.Any(t => t.Kind == LossKind.Odpo))
        {
            var bad = pairs.Select((p, i) => (p, i)).FirstOrDefault(x => x.p.Route == PairRoute.Dpo && !(x.p.ScoreChosen > x.p.ScoreRejected));
            if (bad.p is not null)
            {
                throw new ArgumentException($"ODPO needs score_chosen > score_rejected; pair {bad.i} has {bad.p.ScoreChosen} and {bad.p.ScoreRejected}.", nameof(pairs));
            }
        }
    }

    private static string DataHash(PolicyModel reference, IReadOnlyList<TrainingPair> pairs, PreferenceTrainingOptions options)
    {
        var key = ReferenceLogProbCache.KeyFor(reference, pairs);
        var losses = string.Join(",", options.Losses.Select(l => $"{LossTerm.NameOf(l.Kind)}:{l.Weight}"));
        var routes = string.Concat(pairs.Select(p => p.Route == PairRoute.Dpo ? 'd' : 's'));
        var scores = string.Join(",", pairs.Select(p => $"{p.ScoreChosen:R}/{p.ScoreRejected:R}"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{key}|{losses}|{options.Loss}|{options.BatchSize}|{options.Epochs}|{options.Seed}|{options.Order}|{routes}|{scores}")));
    }
}
