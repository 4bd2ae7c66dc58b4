using PrefSuite.Models.Policy;
using PrefSuite.Models.Training;
using PrefSuite.Science.Randomness;
using PrefSuite.Science.Routing;

namespace PrefSuite.Stages.Training;

/// <summary>Summed log-probs of each held-out pair's chosen and rejected responses under one policy.</summary>
public sealed record ReferenceLogProbs(double[] Chosen, double[] Rejected);

/// <summary>
/// Without a ground-truth task, a trained policy is judged on pairs it never saw: a seeded share of the DPO pairs is
/// kept out of training, and afterwards the share of them whose chosen response gets the larger implicit reward
/// β·(log πθ − log πref) is the implicit-reward accuracy (DPO's "reward accuracy" on held-out data).
/// </summary>
public static class HeldOutSplit
{
    /// <summary>At most this share of the DPO pairs is held out, so training keeps most of its data.</summary>
    public const double MaxShare = 0.2;

    /// <summary>(pairs to train on, held-out DPO pairs): a seeded choice of up to <paramref name="count"/> DPO pairs.</summary>
    public static (IReadOnlyList<TrainingPair> Train, IReadOnlyList<TrainingPair> HeldOut) Split(IReadOnlyList<TrainingPair> pairs, int count, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var dpo = Enumerable.Range(0, pairs.Count).Where(i => pairs[i].Route == PairRoute.Dpo).ToArray();
        var take = Math.Min(count, (int)(dpo.Length * MaxShare));
        if (take <= 0)
        {
            return (pairs, []);
        }

        var rng = SplitMix64.ForKey(seed, 0x48454C44UL);
        for (var i = dpo.Length - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (dpo[i], dpo[j]) = (dpo[j], dpo[i]);
        }

        var held = dpo.Take(take).ToHashSet();
        return (pairs.Where((_, i) => !held.Contains(i)).ToArray(), pairs.Where((_, i) => held.Contains(i)).ToArray());
    }

    public static ReferenceLogProbs LogProbs(PolicyModel policy, IReadOnlyList<TrainingPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var prompts = pairs.Select(p => p.Prompt).ToArray();
        return new ReferenceLogProbs(
            ResponseLogProbs.Compute(policy, prompts, pairs.Select(p => p.Chosen).ToArray()),
            ResponseLogProbs.Compute(policy, prompts, pairs.Select(p => p.Rejected).ToArray()));
    }

    /// <summary>(share with h &gt; 0, mean β·h) where h = (log πθ(c) − log πref(c)) − (log πθ(r) − log πref(r)).</summary>
    public static (double Accuracy, double MeanMargin) Accuracy(ReferenceLogProbs reference, ReferenceLogProbs trained, double beta)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(trained);
        var h = reference.Chosen.Select((_, i) => (trained.Chosen[i] - reference.Chosen[i]) - (trained.Rejected[i] - reference.Rejected[i])).ToArray();
        return h.Length == 0 ? (double.NaN, double.NaN) : (h.Count(v => v > 0) / (double)h.Length, beta * h.Average());
    }
}
