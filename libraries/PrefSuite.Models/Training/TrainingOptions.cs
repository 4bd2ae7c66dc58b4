using PrefSuite.Science.Losses;
using System.ComponentModel.DataAnnotations;

namespace PrefSuite.Models.Training;

/// <summary>Optimisation settings shared by SFT and preference training (AdamW, warm-up + cosine, clipping).</summary>
public record TrainingOptions
{
    [Range(1e-12, 10)]
    public double LearningRate { get; init; } = 3e-4;

    [Range(0, 1_000_000)]
    public int WarmupSteps { get; init; } = 5;

    public bool Cosine { get; init; } = true;

    [Range(0.0, 10)]
    public double WeightDecay { get; init; }

    /// <summary>Global gradient-norm clip; 0 turns clipping off.</summary>
    [Range(0.0, 1e6)]
    public double GradientClip { get; init; } = 1.0;

    /// <summary>Examples (pairs) per optimizer step.</summary>
    [Range(1, 65536)]
    public int BatchSize { get; init; } = 32;

    /// <summary>Each optimizer step's batch runs as this many micro-batches whose gradients add up (same result, less memory).</summary>
    [Range(1, 4096)]
    public int GradientAccumulation { get; init; } = 1;

    public ulong Seed { get; init; }

    /// <summary>Where checkpoints (policy, optimizer state, trainer state) go; null keeps none.</summary>
    public string? CheckpointFolder { get; init; }

    /// <summary>Save a checkpoint every this many steps (and at the end); 0 only at the end.</summary>
    [Range(0, 1_000_000)]
    public int CheckpointEvery { get; init; }

    /// <summary>Continue from the checkpoint in <see cref="CheckpointFolder"/> when there is one.</summary>
    public bool Resume { get; init; } = true;
}

/// <summary>Supervised fine-tuning settings (DEMO-TASK.md's defaults: 1,500 steps, batch 128, lr 2e-3, 100 warm-up, wd 0.01).</summary>
public sealed record SftOptions : TrainingOptions
{
    public SftOptions()
    {
        LearningRate = 2e-3;
        WarmupSteps = 100;
        WeightDecay = 0.01;
        BatchSize = 128;
    }

    [Range(1, 10_000_000)]
    public int Steps { get; init; } = 1500;
}

/// <summary>Preference training settings (DEMO-TASK.md's: β 0.1, lr 3e-4, 5 warm-up, no weight decay, 3 epochs, batch 32).</summary>
public sealed record PreferenceTrainingOptions : TrainingOptions
{
    public IReadOnlyList<LossTerm> Losses { get; init; } = [new LossTerm(LossKind.Sigmoid)];

    public LossSettings Loss { get; init; } = new();

    [Range(1, 100_000)]
    public int Epochs { get; init; } = 3;

    /// <summary>
    /// The order pairs are trained in: shuffled anew every epoch, or as given (a curriculum: selection with small-margin
    /// routing writes pairs easy → hard, and MixDPO trains them in that order).
    /// </summary>
    public PairOrder Order { get; init; } = PairOrder.Shuffled;

    /// <summary>Where reference log-probs are cached by content hash; null computes them every time.</summary>
    public string? ReferenceCacheFolder { get; init; }
}

/// <summary>The order of pairs within each epoch of preference training.</summary>
public enum PairOrder
{
    /// <summary>A seeded permutation per epoch.</summary>
    Shuffled,

    /// <summary>The dataset's own order, every epoch (a curriculum).</summary>
    AsGiven,
}
