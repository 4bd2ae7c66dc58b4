using PrefSuite.Science.Losses;
using PrefSuite.Models.Policy;
using PrefSuite.Models.Training;
using PrefSuite.Science.Routing;
using static TorchSharp.torch;

namespace PrefSuite.Models.Tests.Training;

public class PreferenceTrainerTests
{
    private static readonly PolicyConfig Small = new() { Layers = 1, Width = 32, Heads = 2, Context = 24 };

    private static TrainingPair[] Pairs() =>
    [
        new("sort 3 1 2 =", "1 2 3", "3 1 2", 1.0, 0.2),
        new("sort 5 4 =", "4 5", "5", 1.0, 0.0),
        new("sort 9 0 1 =", "0 1 9", "0 9 1", 1.0, 0.33, PairRoute.Sft),
        new("sort 7 7 2 =", "2 7 7", "", 1.0, 0.0),
        new("sort 6 2 4 8 =", "2 4 6 8", "2 4 8 6", 1.0, 0.5),
    ];

    private static PreferenceTrainingOptions Options(string? checkpoints = null) => new()
    {
        Epochs = 3,
        BatchSize = 2,
        Losses = [new LossTerm(LossKind.Sigmoid), new LossTerm(LossKind.Sft, 0.1)],
        Seed = 11,
        CheckpointFolder = checkpoints,
        CheckpointEvery = 1,
    };

    [Fact]
    public void DpoRaisesTheChosenOverTheRejected()
    {
        using var folder = new TempFolder();
        using var policy = PolicyModel.Create(Small, 3, CPU);
        policy.Save(folder.Sub("ref"), "init");
        using var reference = PolicyModel.Load(folder.Sub("ref"), CPU);
        var history = PreferenceTrainer.Train(policy, reference, Pairs(), Options() with { Epochs = 10, Losses = [new LossTerm(LossKind.Sigmoid)] });

        Assert.Equal(30, history.Count); // ⌈5 / 2⌉ × 10
        Assert.True(history[^1].Loss < history[0].Loss);
        Assert.True(history[^1].MeanMargin > 0);
        Assert.Equal(1.0, history[^1].RewardAccuracy);
    }

    [Fact]
    public void AResumedRunEndsWhereAnUninterruptedRunEnds()
    {
        using var folder = new TempFolder();
        using (var start = PolicyModel.Create(Small, 5, CPU))
        {
            start.Save(folder.Sub("start"), "init");
        }

        using var reference = PolicyModel.Load(folder.Sub("start"), CPU);
        using var straight = PolicyModel.Load(folder.Sub("start"), CPU);
        var full = PreferenceTrainer.Train(straight, reference, Pairs(), Options());

        using var cancellation = new CancellationTokenSource();
        using (var interrupted = PolicyModel.Load(folder.Sub("start"), CPU))
        {
            var progress = new SyncProgress<StepMetrics>(m =>
            {
                if (m.Step == 4)
                {
                    cancellation.Cancel();
                }
            });
            Assert.Throws<OperationCanceledException>(() => PreferenceTrainer.Train(interrupted, reference, Pairs(), Options(folder.Sub("ckpt")), progress, cancellation.Token));
        }

        Assert.Equal(4, TrainerState.TryLoad(folder.Sub("ckpt"))!.Step);
        using var resumed = PolicyModel.Load(folder.Sub("start"), CPU);
        var rest = PreferenceTrainer.Train(resumed, reference, Pairs(), Options(folder.Sub("ckpt")));

        Assert.Equal(full.Select(m => m.Loss), rest.Select(m => m.Loss));
        var a = straight.Network.state_dict();
        var b = resumed.Network.state_dict();
        Assert.All(a.Keys, key => Assert.True(a[key].allclose(b[key], 0, 0), key));
    }

    [Fact]
    public void ReferenceLogProbsAreCachedByContent()
    {
        using var folder = new TempFolder();
        using (var start = PolicyModel.Create(Small, 6, CPU))
        {
            start.Save(folder.Sub("ref"), "init");
        }

        using var reference = PolicyModel.Load(folder.Sub("ref"), CPU);
        var first = ReferenceLogProbCache.GetOrCompute(reference, Pairs(), folder.Sub("cache"));
        var second = ReferenceLogProbCache.GetOrCompute(reference, Pairs(), folder.Sub("cache"));
        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal(first.Chosen, second.Chosen);
        Assert.Equal(first.Rejected, second.Rejected);

        var changed = Pairs();
        changed[0] = changed[0] with { Rejected = "2 1 3" };
        Assert.NotEqual(ReferenceLogProbCache.KeyFor(reference, Pairs()), ReferenceLogProbCache.KeyFor(reference, changed));
        Assert.False(ReferenceLogProbCache.GetOrCompute(reference, changed, folder.Sub("cache")).FromCache);
    }

    [Fact]
    public void OdpoRejectsPairsWithoutAPositiveGap()
    {
        using var policy = PolicyModel.Create(Small, 7, CPU);
        TrainingPair[] pairs = [new("sort 1 =", "1", "1 1", 0.5, 0.5)];
        var error = Assert.Throws<ArgumentException>(() => PreferenceTrainer.Train(policy, policy, pairs, new PreferenceTrainingOptions { Losses = [new LossTerm(LossKind.Odpo)] }));
        Assert.Contains("ODPO", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACheckpointFromOtherDataIsNotResumed()
    {
        using var folder = new TempFolder();
        using var policy = PolicyModel.Create(Small, 8, CPU);
        policy.Save(folder.Sub("ref"), "init");
        using var reference = PolicyModel.Load(folder.Sub("ref"), CPU);
        PreferenceTrainer.Train(policy, reference, Pairs(), Options(folder.Sub("ckpt")) with { Epochs = 1 });
        var other = Pairs()[..3];
        var error = Assert.Throws<InvalidOperationException>(() => PreferenceTrainer.Train(policy, reference, other, Options(folder.Sub("ckpt"))));
        Assert.Contains("another run", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACurriculumTrainsPairsInTheirOrderEveryEpochAndShufflingDoesNot()
    {
        using var folder = new TempFolder();
        using var start = PolicyModel.Create(Small, 9, CPU);
        start.Save(folder.Sub("ref"), "init");
        var pairs = Pairs();
        var reference = ResponseLogProbs.Compute(start, pairs.Select(p => p.Prompt).ToArray(), pairs.Select(p => p.Chosen).ToArray());
        // One pair per step and a negligible learning rate: each step's chosen log-prob names the pair it trained on.
        var options = Options() with { BatchSize = 1, Epochs = 2, LearningRate = 1e-12, WarmupSteps = 0, Losses = [new LossTerm(LossKind.Sigmoid)] };
        int[] Trained(PairOrder order)
        {
            using var policy = PolicyModel.Load(folder.Sub("ref"), CPU);
            var history = PreferenceTrainer.Train(policy, policy, pairs, options with { Order = order });
            return history.Select(h => Array.FindIndex(reference, r => Math.Abs(r - h.ChosenLogProb) < 1e-3)).ToArray();
        }

        Assert.Equal(new[] { 0, 1, 2, 3, 4, 0, 1, 2, 3, 4 }, Trained(PairOrder.AsGiven));
        var shuffled = Trained(PairOrder.Shuffled);
        Assert.Equal(PreferenceTrainer.EpochOrder(5, options.Seed, 0).Concat(PreferenceTrainer.EpochOrder(5, options.Seed, 1)), shuffled);
        Assert.NotEqual(new[] { 0, 1, 2, 3, 4, 0, 1, 2, 3, 4 }, shuffled);
    }
}
