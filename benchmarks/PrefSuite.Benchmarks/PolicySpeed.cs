using System.Diagnostics;
using System.Globalization;
using PrefSuite.Models.Policy;
using PrefSuite.Models.Rewards;
using PrefSuite.Models.Training;
using PrefSuite.Science.Randomness;
using TorchSharp;

namespace PrefSuite.Benchmarks;

/// <summary>
/// Times the built-in policy (sampling with the KV cache at batch 1 and 16, a training step) and ONNX reward scoring, in
/// the shapes benchmarks/reference/policy_torch.py measures for PyTorch. One thread, best (sampling) or median (steps).
/// </summary>
internal static class PolicySpeed
{
    private sealed record Size(string Name, PolicyConfig Config, int PromptTokens, int NewTokens);

    public static void Run()
    {
        PrefSuite.Models.Native.TorchThreads.Set(1);
        Size[] sizes =
        [
            new("demo", new PolicyConfig(), 8, 24),
            new("d256", new PolicyConfig { Layers = 4, Width = 256, Heads = 8, Context = 128, Tokenizer = "bytes-v1" }, 16, 96),
        ];
        foreach (var size in sizes)
        {
            using var policy = PolicyModel.Create(size.Config, 0, torch.CPU);
            var prompt = PromptOf(size);
            var b1 = SampleSpeed(policy, prompt, 1, size.NewTokens);
            var b16 = SampleSpeed(policy, prompt, 16, size.NewTokens);
            var step = TrainStepMs(policy, size.Config.Context / 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{size.Name}: params={policy.ParameterCount} sample_b1_tok_s={b1:F0} sample_b16_tok_s={b16:F0} train_step_B16xT{size.Config.Context / 2}_ms={step:F2}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reward_mlp_d256: sequences_per_s={ScoringSpeed():F0} (batch 32 x 64 tokens)"));
    }

    private static string PromptOf(Size size) => size.Config.Tokenizer == "bytes-v1"
        ? "Sort: 3 1 4 1 5."[..(size.PromptTokens - 1)]
        : "sort 3 1 4 1 5 9 =";

    private static double SampleSpeed(PolicyModel policy, string prompt, int batch, int newTokens)
    {
        var best = 0.0;
        for (var repeat = 0; repeat < 5; repeat++)
        {
            var clock = Stopwatch.StartNew();
            var samples = Sampler.Sample(policy, [prompt], [$"p{repeat}"], batch, new SamplingOptions { MaxNewTokens = newTokens, BatchSize = batch, Seed = (ulong)repeat });
            var tokens = samples.Sum(s => s.TokenLogProbs.Length);
            best = Math.Max(best, tokens / clock.Elapsed.TotalSeconds);
        }

        return best;
    }

    private static double TrainStepMs(PolicyModel policy, int length)
    {
        var rng = new SplitMix64(3);
        var alphabet = policy.Tokens.Identity == "bytes-v1" ? "abcdefghijklmnopqrstuvwxyz " : "0123456789";
        string RandomText(int tokens) => policy.Tokens.Identity == "bytes-v1"
            ? new string(Enumerable.Range(0, tokens).Select(_ => alphabet[rng.NextInt(alphabet.Length)]).ToArray())
            : string.Join(' ', Enumerable.Range(0, tokens).Select(_ => alphabet[rng.NextInt(alphabet.Length)]));
        var items = Enumerable.Range(0, 64).Select(_ => (string.Empty, RandomText(length - 1))).ToArray();
        var times = new List<double>();
        var clock = Stopwatch.StartNew();
        var progress = new Progress(() =>
        {
            times.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
        });
        SftTrainer.Train(policy, new ListDemonstrationSource(items, "bench", 1), new SftOptions { Steps = 20, BatchSize = 16, WarmupSteps = 0 }, progress);
        return times.Order().ElementAt(times.Count / 2);
    }

    private static double ScoringSpeed()
    {
        var folder = Path.Combine(Path.GetTempPath(), "prefsuite-bench-reward");
        MlpRewardBundle.Write(folder, 259, 256, 2);
        using var model = OnnxRewardModel.Load(folder, preferGpu: false, intraOpThreads: 1);
        var rng = new SplitMix64(5);
        var items = Enumerable.Range(0, 32).Select(_ => new ScoringItem(string.Empty, new string(Enumerable.Range(0, 64).Select(_ => (char)('a' + rng.NextInt(26))).ToArray()))).ToArray();
        var times = new List<double>();
        for (var repeat = 0; repeat < 20; repeat++)
        {
            var clock = Stopwatch.StartNew();
            model.ScoreAsync(items).GetAwaiter().GetResult();
            times.Add(clock.Elapsed.TotalSeconds);
        }

        return 32 / times.Order().ElementAt(times.Count / 2);
    }

    private sealed class Progress(Action onStep) : IProgress<StepMetrics>
    {
        public void Report(StepMetrics value) => onStep();
    }
}
