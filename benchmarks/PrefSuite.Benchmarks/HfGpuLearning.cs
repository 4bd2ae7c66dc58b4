using System.Globalization;
using PrefSuite.Models.Policy;
using PrefSuite.Models.Rewards;
using PrefSuite.Models.Training;
using PrefSuite.Science.Augmentation;
using PrefSuite.Science.Randomness;

namespace PrefSuite.Benchmarks;

/// <summary>
/// Does DPO learn on this device and dtype? The check of HfTrainingTests (pairs whose chosen response starts " yes" and
/// rejected " no", the rest shared) on a checkpoint folder: held-out implicit-reward accuracy before and after 4 epochs
/// of 48 pairs, at each learning rate given. Usage: hf-learn FOLDER DEVICE LR...
/// </summary>
internal static class HfGpuLearning
{
    private static readonly string[] Words = ["red", "blue", "green", "cat", "dog", "sun", "moon", "tree", "rock", "bird", "fish", "star"];

    public static void Run(string folder, string deviceName, IEnumerable<double> rates)
    {
        var device = Devices.Parse(deviceName);
        var heldOut = Pairs(40, 2);
        foreach (var rate in rates)
        {
            using var policy = PolicyModel.Load(folder, device);
            using var reference = PolicyModel.Load(folder, device);
            var before = Accuracy(policy, reference, heldOut);
            var options = new PreferenceTrainingOptions { Epochs = 4, BatchSize = 8, LearningRate = rate, Seed = 1, WarmupSteps = 2 };
            var history = PreferenceTrainer.Train(policy, reference, Pairs(48, 1), options);
            var after = Accuracy(policy, reference, heldOut);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"prefsuite: learn device={device} dtype={policy.Network.parameters().First().dtype} lr={rate:G3} steps={history.Count} loss {history[0].Loss:F4} -> {history[^1].Loss:F4} held_out_accuracy {before:F3} -> {after:F3}"));
        }
    }

    private static double Accuracy(PolicyModel policy, PolicyModel reference, TrainingPair[] pairs)
    {
        var scorer = new ImplicitRewardScorer(policy, reference);
        var chosen = scorer.Compute(pairs.Select(p => new ScoringItem(p.Prompt.Text!, p.Chosen)).ToArray());
        var rejected = scorer.Compute(pairs.Select(p => new ScoringItem(p.Prompt.Text!, p.Rejected)).ToArray());
        return chosen.Zip(rejected).Count(x => x.First.ImplicitReward > x.Second.ImplicitReward) / (double)pairs.Length;
    }

    private static TrainingPair[] Pairs(int count, ulong seed)
    {
        var rng = new SplitMix64(seed);
        string Sentence(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => Words[rng.NextInt(Words.Length)]));
        return Enumerable.Range(0, count).Select(_ =>
        {
            var tail = Sentence(2);
            return new TrainingPair(PromptText.FromText("q: " + Sentence(3)), " yes " + tail, " no " + tail, 1, 0);
        }).ToArray();
    }
}
