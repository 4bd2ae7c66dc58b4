using PrefSuite.Models.HuggingFace;
using PrefSuite.Models.Policy;
using PrefSuite.Models.Rewards;
using PrefSuite.Models.Training;
using PrefSuite.Science.Randomness;
using static TorchSharp.torch;

namespace PrefSuite.Models.Tests.HuggingFace;

/// <summary>DPO on tiny Hugging Face policies, full fine-tuning and LoRA.</summary>
public sealed class HfTrainingTests : IDisposable
{
    private static readonly string[] Words = ["the", "in", "an", "at", "on", "or", "is", "to", "re", "es"];

    private readonly TempFolder folder = new();

    /// <summary>Pairs whose preference is a pattern: the chosen answers " yes …", the rejected " no …".</summary>
    private static TrainingPair[] Pairs(int count, ulong seed)
    {
        var rng = new SplitMix64(seed);
        string Sentence(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => Words[rng.NextInt(Words.Length)]));
        return Enumerable.Range(0, count).Select(_ =>
        {
            var prompt = "q: " + Sentence(3);
            var tail = Sentence(2);
            return new TrainingPair(prompt, " yes " + tail, " no " + tail, 1, 0);
        }).ToArray();
    }

    private static double HeldOutAccuracy(PolicyModel policy, PolicyModel reference, TrainingPair[] pairs)
    {
        var scorer = new ImplicitRewardScorer(policy, reference);
        var chosen = scorer.Compute(pairs.Select(p => new ScoringItem(p.Prompt.Text!, p.Chosen)).ToArray());
        var rejected = scorer.Compute(pairs.Select(p => new ScoringItem(p.Prompt.Text!, p.Rejected)).ToArray());
        return chosen.Zip(rejected).Count(x => x.First.ImplicitReward > x.Second.ImplicitReward) / (double)pairs.Length;
    }

    [Fact]
    public void DpoOnATinyHfPolicyRaisesHeldOutImplicitRewardAccuracy()
    {
        var model = TinyCheckpoints.Write("qwen2-tiny", folder.Path);
        using var policy = PolicyModel.Load(model, CPU);
        using var reference = PolicyModel.Load(model, CPU);
        var heldOut = Pairs(40, 2);
        Assert.Equal(0.0, HeldOutAccuracy(policy, reference, heldOut)); // identical models: every implicit reward is 0
        var options = new PreferenceTrainingOptions { Epochs = 4, BatchSize = 8, LearningRate = 3e-3, Seed = 1, WarmupSteps = 2 };
        var history = PreferenceTrainer.Train(policy, reference, Pairs(48, 1), options);
        Assert.True(history[^1].Loss < history[0].Loss);
        Assert.True(HeldOutAccuracy(policy, reference, heldOut) >= 0.9);
    }

    [Fact]
    public void LoraTrainsOnlyTheAdaptersAndRaisesHeldOutAccuracy()
    {
        var model = TinyCheckpoints.Write("llama3-tiny", folder.Path);
        using var policy = PolicyModel.Load(model, CPU, new PolicyLoadOptions { Lora = new LoraSettings { Rank = 4, Alpha = 16, Dropout = 0, TargetModules = ["all-linear"] } });
        using var reference = PolicyModel.Load(model, CPU);
        var before = policy.Network.named_parameters().Where(p => !p.name.Contains(".lora_", StringComparison.Ordinal)).ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var heldOut = Pairs(40, 4);
        var options = new PreferenceTrainingOptions { Epochs = 4, BatchSize = 8, LearningRate = 1e-2, Seed = 1, WarmupSteps = 2 };
        PreferenceTrainer.Train(policy, reference, Pairs(48, 3), options);
        foreach (var (name, parameter) in policy.Network.named_parameters().Where(p => !p.name.Contains(".lora_", StringComparison.Ordinal)))
        {
            Assert.True(parameter.allclose(before[name], 0, 0), name);
        }

        Assert.True(HeldOutAccuracy(policy, reference, heldOut) >= 0.9);
    }

    [Fact]
    public void GradientAccumulationGivesTheSameWeightsAsOneBatch()
    {
        var model = TinyCheckpoints.Write("mistral-tiny", folder.Path);
        using var reference = PolicyModel.Load(model, CPU);
        var pairs = Pairs(12, 5);
        var options = new PreferenceTrainingOptions { Epochs = 1, BatchSize = 6, LearningRate = 1e-3, Seed = 3, WarmupSteps = 0 };
        using var whole = PolicyModel.Load(model, CPU);
        using var accumulated = PolicyModel.Load(model, CPU);
        PreferenceTrainer.Train(whole, reference, pairs, options);
        PreferenceTrainer.Train(accumulated, reference, pairs, options with { GradientAccumulation = 3 });
        var a = whole.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in accumulated.Network.named_parameters())
        {
            // Within 5% of one step (lr 1e-3): Adam divides by sqrt(v) + 1e-8, so an embedding row whose gradient is near
            // 1e-8 (':' in every prompt, far from the loss) turns float32 summation-order noise into a visible part of a step.
            Assert.True(parameter.allclose(a[name], 1e-4, 5e-5), $"{name}: max |Δ| {(parameter - a[name]).abs().max().item<float>()}");
        }
    }

    [Fact]
    public void AnInterruptedLoraRunResumesFromItsAdaptersToTheSameEnd()
    {
        var model = TinyCheckpoints.Write("qwen3-tiny", folder.Path);
        var lora = new LoraSettings { Rank = 2, Alpha = 4, Dropout = 0, TargetModules = ["q_proj", "v_proj"] };
        var pairs = Pairs(12, 7);
        var options = new PreferenceTrainingOptions { Epochs = 2, BatchSize = 4, LearningRate = 1e-2, Seed = 5, WarmupSteps = 0, CheckpointEvery = 1 };
        using var straight = PolicyModel.Load(model, CPU, new PolicyLoadOptions { Lora = lora });
        var full = PreferenceTrainer.Train(straight, straight, pairs, options);

        using var cancellation = new CancellationTokenSource();
        using (var interrupted = PolicyModel.Load(model, CPU, new PolicyLoadOptions { Lora = lora }))
        {
            var progress = new SyncProgress<StepMetrics>(m =>
            {
                if (m.Step == 3)
                {
                    cancellation.Cancel();
                }
            });
            Assert.Throws<OperationCanceledException>(() => PreferenceTrainer.Train(interrupted, interrupted, pairs, options with { CheckpointFolder = folder.Sub("ckpt") }, progress, cancellation.Token));
        }

        // The checkpoint holds only what LoRA trains: the adapters.
        using (var state = SafetensorsFile.Open(Path.Combine(folder.Sub("ckpt"), TrainerState.TrainableFile)))
        {
            Assert.All(state.Tensors, t => Assert.Contains(".lora_", t.Name, StringComparison.Ordinal));
            Assert.Equal(2 * 2 * 2, state.Tensors.Count); // 2 layers × (q, v) × (A, B)
        }

        using var resumed = PolicyModel.Load(model, CPU, new PolicyLoadOptions { Lora = lora });
        var rest = PreferenceTrainer.Train(resumed, resumed, pairs, options with { CheckpointFolder = folder.Sub("ckpt") });
        Assert.Equal(full.Select(m => m.Loss), rest.Select(m => m.Loss));
        var a = straight.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in resumed.Network.named_parameters())
        {
            Assert.True(parameter.allclose(a[name], 0, 0), name);
        }
    }

    public void Dispose() => folder.Dispose();
}
