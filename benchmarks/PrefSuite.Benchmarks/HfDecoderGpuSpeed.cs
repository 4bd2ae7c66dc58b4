using System.Diagnostics;
using System.Globalization;
using PrefSuite.Models.Policy;
using PrefSuite.Models.Training;
using PrefSuite.Science.Augmentation;
using PrefSuite.Science.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace PrefSuite.Benchmarks;

/// <summary>
/// Times a Hugging Face checkpoint on a GPU the way benchmarks/reference/qwen_gpu_torch.py times transformers, through
/// the product's own code: sampling (<see cref="Sampler"/>: 64 rows of one 32-token prompt, 128 new tokens at
/// temperature 1, best of 3 after a warm-up) and a DPO step (<see cref="PreferenceTrainer"/>: 8 pairs of a 128-token
/// prompt and 384-token responses + EOS, sigmoid loss, precomputed reference log-probs, clipping, AdamW; the median
/// of 10 intervals between its step reports after a warm-up), plus an 8192³ BF16 matrix product through TorchSharp.
/// Usage: hf-gpu FOLDER [cpu|cuda] (cpu only to try it on a tiny checkpoint).
/// </summary>
internal static class HfDecoderGpuSpeed
{
    private const int SampleRows = 64;
    private const int Prompt = 32;
    private const int New = 128;
    private const int Pairs = 8;
    private const int PromptTokens = 128;
    private const int ResponseTokens = 384;
    private const int Steps = 12;

    public static void Run(string folder, string deviceName)
    {
        var device = Devices.Parse(deviceName);
        Console.WriteLine($"prefsuite: device={device} cuda_available={cuda.is_available()}");
        if (device.type == DeviceType.CUDA)
        {
            Print($"prefsuite: gemm_bf16_8192_tflops={GemmTflops(device):F0}");
        }

        using var policy = PolicyModel.Load(folder, device);
        Print($"prefsuite: params={policy.ParameterCount} dtype={policy.Network.parameters().First().dtype} sample_b{SampleRows}_tok_s={SampleTokS(policy):F0}");
        using var reference = PolicyModel.Load(folder, device);
        Print($"prefsuite: dpo_step_{Pairs}pairs_T{PromptTokens + ResponseTokens + 1}_ms={DpoStepMs(policy, reference):F1}");
        if (Environment.GetEnvironmentVariable("PREFSUITE_STEP_PARTS") == "1")
        {
            StepParts(policy);
        }
    }

    /// <summary>Where a step's time goes: each part synchronised on its own, median of 6 after 2 warm-ups.</summary>
    private static void StepParts(PolicyModel policy)
    {
        var rng = new SplitMix64(3);
        int[] Tokens(int count) => Enumerable.Range(0, count).Select(_ => 97 + rng.NextInt(26)).ToArray();
        using var optimizer = new FlatAdamW(policy.TrainableParameters(), 1e-6);
        var parts = new Dictionary<string, List<double>>();
        void Time(string name, int iteration, Action action)
        {
            cuda.synchronize();
            var clock = Stopwatch.StartNew();
            action();
            cuda.synchronize();
            if (iteration >= 2)
            {
                (parts.TryGetValue(name, out var list) ? list : parts[name] = []).Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        policy.Network.train();
        for (var i = 0; i < 8; i++)
        {
            var prompts = Enumerable.Range(0, Pairs).Select(_ => Tokens(PromptTokens)).ToArray();
            var chosen = Enumerable.Range(0, Pairs).Select(_ => Tokens(ResponseTokens + 1)).ToArray();
            var rejected = Enumerable.Range(0, Pairs).Select(_ => Tokens(ResponseTokens + 1)).ToArray();
            Time("two_passes_fwd_bwd", i, () =>
            {
                using var scope = NewDisposeScope();
                using var c = SequenceBatch.Create(prompts, chosen, policy.Tokens.PadId, policy.Context, policy.Device);
                using var r = SequenceBatch.Create(prompts, rejected, policy.Tokens.PadId, policy.Context, policy.Device);
                var loss = ResponseLogProbs.Sum(policy.Network, c).sum() - ResponseLogProbs.Sum(policy.Network, r).sum();
                loss.backward();
            });
            optimizer.ZeroGrad();
            Time("one_pass_fwd_bwd", i, () =>
            {
                using var scope = NewDisposeScope();
                using var both = SequenceBatch.Create([.. prompts, .. prompts], [.. chosen, .. rejected], policy.Tokens.PadId, policy.Context, policy.Device);
                var sums = ResponseLogProbs.Sum(policy.Network, both);
                var loss = sums[TensorIndex.Slice(0, Pairs)].sum() - sums[TensorIndex.Slice(Pairs)].sum();
                loss.backward();
            });
            Time("clip_grad_norm", i, () => optimizer.ClipGradNorm(1.0));
            Time("adamw_step", i, optimizer.Step);
            Time("zero_grad", i, optimizer.ZeroGrad);
        }

        policy.Network.eval();
        foreach (var (name, times) in parts)
        {
            times.Sort();
            Print($"prefsuite: part {name}_ms={times[times.Count / 2]:F1}");
        }
    }

    private static void Print(FormattableString line) => Console.WriteLine(line.ToString(CultureInfo.InvariantCulture));

    private static double GemmTflops(Device device)
    {
        using var scope = NewDisposeScope();
        var a = randn([8192, 8192], ScalarType.BFloat16, device);
        var b = randn([8192, 8192], ScalarType.BFloat16, device);
        for (var i = 0; i < 3; i++)
        {
            a.matmul(b).Dispose();
        }

        cuda.synchronize();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 10; i++)
        {
            a.matmul(b).Dispose();
        }

        cuda.synchronize();
        return 2.0 * Math.Pow(8192, 3) * 10 / clock.Elapsed.TotalSeconds / 1e12;
    }

    private static double SampleTokS(PolicyModel policy)
    {
        var rng = new SplitMix64(2);
        var best = 0.0;
        for (var rep = 0; rep < 4; rep++)
        {
            var prompt = Enumerable.Range(0, Prompt).Select(_ => rng.NextInt(256)).ToArray();
            var clock = Stopwatch.StartNew();
            var samples = Sampler.SampleTokens(policy, [prompt], [$"p{rep}"], SampleRows, new SamplingOptions { MaxNewTokens = New, Seed = (ulong)rep, BatchSize = SampleRows });
            var elapsed = clock.Elapsed.TotalSeconds;
            if (rep > 0)
            {
                best = Math.Max(best, samples.Sum(s => s.TokenLogProbs.Length) / elapsed);
            }
        }

        return best;
    }

    private static double DpoStepMs(PolicyModel policy, PolicyModel reference)
    {
        var rng = new SplitMix64(1);
        string Letters(int count) => new(Enumerable.Range(0, count).Select(_ => (char)('a' + rng.NextInt(26))).ToArray());
        var pairs = Enumerable.Range(0, Pairs * Steps)
            .Select(_ => new TrainingPair(PromptText.FromText(Letters(PromptTokens)), Letters(ResponseTokens), Letters(ResponseTokens), 1, 0))
            .ToArray();
        var stamps = new List<double>();
        var clock = Stopwatch.StartNew();
        var options = new PreferenceTrainingOptions { BatchSize = Pairs, Epochs = 1, LearningRate = 1e-6, WarmupSteps = 0, Order = PairOrder.AsGiven };
        PreferenceTrainer.Train(policy, reference, pairs, options, new Progress(() => stamps.Add(clock.Elapsed.TotalMilliseconds)));
        var intervals = stamps.Zip(stamps.Skip(1), (a, b) => b - a).Skip(1).Order().ToArray(); // step 1 → 2 still warms up
        return intervals[intervals.Length / 2];
    }

    /// <summary>Reports synchronously on the training thread (System.Progress would post to the thread pool).</summary>
    private sealed class Progress(Action onStep) : IProgress<StepMetrics>
    {
        public void Report(StepMetrics value) => onStep();
    }
}
