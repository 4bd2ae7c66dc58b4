using PrefSuite.Science.Demo;
using PrefSuite.Science.Randomness;

namespace PrefSuite.Models.Demo;

/// <summary>
/// A SIMULATED reward model for the demo task, standing in for a real reward model's errors: the ground-truth reward
/// plus Gaussian noise (σ), and on a share of prompts (the flip rate) a reversed ranking (1 − ground truth + noise).
/// Deterministic: the same (prompt, response, seed) always gets the same score, as a real model would.
/// </summary>
public sealed class SimulatedRewardModel
{
    public SimulatedRewardModel(double noise = 0.1, double flipRate = 0, ulong seed = 0)
    {
        if (!(noise >= 0) || !double.IsFinite(noise))
        {
            throw new ArgumentOutOfRangeException(nameof(noise), noise, "The noise σ must be a finite number ≥ 0.");
        }

        if (!(flipRate is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(flipRate), flipRate, "The flip rate must lie in [0, 1].");
        }

        Noise = noise;
        FlipRate = flipRate;
        Seed = seed;
    }

    public double Noise { get; }

    public double FlipRate { get; }

    public ulong Seed { get; }

    /// <summary>Whether this prompt's ranking is reversed.</summary>
    public bool IsFlipped(string prompt) => FlipRate > 0 && SplitMix64.ForKey(Seed ^ 0xF11F, StableHash.Fnv1a64(prompt)).NextDouble() < FlipRate;

    public double Score(string prompt, string response, bool ended = true)
    {
        var truth = SortingTask.Reward(prompt, response, ended);
        var rng = SplitMix64.ForKey(Seed, StableHash.Fnv1a64(prompt + "\u0000" + response + (ended ? "\u0001" : "\u0002")));
        var noise = Noise * rng.NextGaussian();
        return (IsFlipped(prompt) ? 1 - truth : truth) + noise;
    }
}
