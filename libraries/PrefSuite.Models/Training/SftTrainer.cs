using System.Security.Cryptography;
using System.Text;
using PrefSuite.Models.Policy;
using static TorchSharp.torch;

namespace PrefSuite.Models.Training;

/// <summary>Supervised fine-tuning: token-mean NLL of the demonstrations' responses (EOS included), AdamW, warm-up + cosine.</summary>
public static class SftTrainer
{
    public const string Stage = "sft";

    public static IReadOnlyList<StepMetrics> Train(
        PolicyModel policy,
        IDemonstrationSource source,
        SftOptions options,
        IProgress<StepMetrics>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        var dataHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{source.Identity}|{options.BatchSize}")));
        using var optimizer = new FlatAdamW(policy.TrainableParameters(), options.LearningRate, options.WeightDecay);
        var resumed = options.Resume ? TrainerCheckpoints.TryResume(options.CheckpointFolder, policy, optimizer, Stage, dataHash) : null;
        var history = resumed?.History.ToList() ?? [];
        if (resumed is not null)
        {
            source.Restore(resumed.RandomState);
        }

        var schedule = new LearningRateSchedule(options.LearningRate, options.WarmupSteps, options.Steps, options.Cosine);
        policy.Network.train();
        for (var step = resumed?.Step ?? 0; step < options.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rate = schedule.At(step);
            optimizer.LearningRate = rate;

            var examples = Enumerable.Range(0, options.BatchSize).Select(_ => source.Draw()).ToArray();
            double loss, meanLogProb;
            using (var scope = NewDisposeScope())
            {
                using var batch = SequenceBatch.Create(
                    examples.Select(e => policy.EncodePrompt(e.Prompt)).ToArray(),
                    examples.Select(e => policy.EncodeResponse(e.Response)).ToArray(),
                    policy.Tokens.PadId,
                    policy.Context,
                    policy.Device);
                var tokenLogProbs = ResponseLogProbs.TokenLogProbs(policy.Network, batch) * batch.ResponseMask;
                var nll = -tokenLogProbs.sum() / batch.ResponseMask.sum();
                optimizer.ZeroGrad();
                nll.backward();
                if (options.GradientClip > 0)
                {
                    optimizer.ClipGradNorm(options.GradientClip);
                }

                optimizer.Step();
                loss = nll.item<float>();
                meanLogProb = tokenLogProbs.sum(1).mean().item<float>();
            }

            var metrics = new StepMetrics(Stage, step + 1, options.Steps, 0, loss, double.NaN, double.NaN, meanLogProb, double.NaN, rate);
            history.Add(metrics);
            progress?.Report(metrics);
            var last = step + 1 == options.Steps;
            if (options.CheckpointFolder is not null && (last || (options.CheckpointEvery > 0 && (step + 1) % options.CheckpointEvery == 0)))
            {
                TrainerCheckpoints.Save(options.CheckpointFolder, policy, optimizer, new TrainerState(Stage, step + 1, options.Steps, source.State, dataHash, history));
            }
        }

        policy.Network.eval();
        return history;
    }
}
