using System.Globalization;
using PrefSuite.Models.Training;
using PrefSuite.Science.Losses;
using PrefSuite.Science.Margins;
using PrefSuite.Science.Pairs;
using PrefSuite.Science.Statistics;

namespace PrefSuite.Stages.Comparison;

/// <summary>What a variant changes relative to the baseline (sweet-spot pairs, sigmoid DPO, shuffled, the baseline's steps).</summary>
[Flags]
public enum VariantChange
{
    None = 0,

    /// <summary>Other pairs (another rejected, a subset, or some pairs trained as SFT on the chosen).</summary>
    Data = 1,

    /// <summary>A different number of optimizer steps than the baseline.</summary>
    Steps = 2,

    /// <summary>A different loss on the same pairs.</summary>
    Loss = 4,

    /// <summary>The same pairs in another order.</summary>
    Order = 8,
}

/// <summary>One way to build and train on preference data: a pair strategy, dataset-level selection, losses and training order.</summary>
public sealed record ComparisonVariant(string Name, PairStrategyOptions Strategy, DatasetSelectionOptions Dataset, IReadOnlyList<LossTerm> Losses)
{
    /// <summary>The training order: shuffled every epoch, or easy → hard by external margin every epoch (MixDPO's curriculum).</summary>
    public PairOrder Order { get; init; } = PairOrder.Shuffled;

    /// <summary>
    /// Routes a random set of pairs to SFT on the chosen, as many as small-margin routing routes on the same data: the
    /// control that tells "SFT on some pairs" from "SFT on the small-margin pairs".
    /// </summary>
    public bool RandomSftControl { get; init; }

    /// <summary>RDPO's β₁ (null: the trainer's default).</summary>
    public double? Beta1 { get; init; }

    /// <summary>
    /// Train as many optimizer steps as the baseline (more epochs over fewer pairs); false keeps the epochs instead, so a
    /// subset also gets fewer steps.
    /// </summary>
    public bool EqualSteps { get; init; } = true;

    /// <summary>What this variant changes relative to the baseline, in words, for the report.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>What this variant changes relative to the baseline.</summary>
    public VariantChange Changes { get; init; }

    /// <summary>
    /// The comparison's default set, the baseline first: the constructions of SCIENCE.md §8 and the controls that say
    /// where an effect comes from — routing with the curriculum and without it, SFT on a random set of pairs of the same
    /// size, and RDPO over a small β₁ sweep.
    /// </summary>
    public static IReadOnlyList<ComparisonVariant> Defaults(ulong seed)
    {
        LossTerm[] dpo = [new(LossKind.Sigmoid)];
        var sweet = new PairStrategyOptions { Seed = seed };
        var all = new DatasetSelectionOptions();
        var routed = new DatasetSelectionOptions { RouteSmallMargins = true };
        return
        [
            new("sweet-spot", sweet, all, dpo) { Description = "baseline: chosen max, rejected nearest μ−2σ; sigmoid DPO, shuffled" },
            new("max-min", sweet with { Name = StrategyNames.MaxMin }, all, dpo) { Changes = VariantChange.Data, Description = "rejected = min" },
            new("max-min-of-5-random", sweet with { Name = StrategyNames.MaxMinOfKRandom, K = 5 }, all, dpo) { Changes = VariantChange.Data, Description = "rejected = min of 5 random samples" },
            new("top-10%-margin", sweet, new DatasetSelectionOptions { Keep = KeepRule.Default }, dpo) { Changes = VariantChange.Data, Description = "top 10% of pairs by margin; more epochs, same steps" },
            new("routing+curriculum", sweet, routed, dpo) { Order = PairOrder.AsGiven, Changes = VariantChange.Data | VariantChange.Order, Description = "MixDPO: lower-tercile margins → SFT on chosen; easy → hard order" },
            new("routing", sweet, routed, dpo) { Changes = VariantChange.Data, Description = "lower-tercile margins → SFT on chosen; shuffled" },
            new("random-sft", sweet, all, dpo) { RandomSftControl = true, Changes = VariantChange.Data, Description = "control: as many random pairs → SFT on chosen; shuffled" },
            new("curriculum", sweet, all, dpo) { Order = PairOrder.AsGiven, Changes = VariantChange.Order, Description = "easy → hard by margin, no routing" },
            Rdpo(sweet, 0.02),
            Rdpo(sweet, 0.1),
            Rdpo(sweet, 0.5),
        ];
    }

    /// <summary>
    /// A variant by name: a default's, "random", "position:CHOSEN:REJECTED", "rdpo:B1" (sweet-spot pairs, RDPO with β₁),
    /// or any of them with "@same-epochs" (a subset keeps the epochs and so trains fewer steps).
    /// </summary>
    public static ComparisonVariant Parse(string name, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.EndsWith("@same-epochs", StringComparison.Ordinal))
        {
            var inner = Parse(name[..^"@same-epochs".Length], seed);
            return inner with { Name = name, EqualSteps = false, Changes = inner.Changes | VariantChange.Steps, Description = inner.Description.Replace("more epochs, same steps", "same epochs, fewer steps", StringComparison.Ordinal) };
        }

        if (Defaults(seed).FirstOrDefault(v => v.Name == name) is { } known)
        {
            return known;
        }

        LossTerm[] dpo = [new(LossKind.Sigmoid)];
        var sweet = new PairStrategyOptions { Seed = seed };
        if (name == "random")
        {
            return new(name, new PairStrategyOptions { Name = StrategyNames.Random, Seed = seed }, new DatasetSelectionOptions(), dpo) { Changes = VariantChange.Data, Description = "two random samples, the better chosen" };
        }

        if (name.StartsWith("rdpo:", StringComparison.Ordinal) && double.TryParse(name[5..], NumberStyles.Float, CultureInfo.InvariantCulture, out var beta1) && beta1 > 0)
        {
            return Rdpo(sweet, beta1);
        }

        var parts = name.Split(':');
        if (parts.Length == 3 && parts[0] == "position")
        {
            return new(name, sweet with { Name = StrategyNames.SweetSpot, Chosen = RewardPosition.Parse(parts[1]), Rejected = RewardPosition.Parse(parts[2]) }, new DatasetSelectionOptions(), dpo)
            {
                Changes = VariantChange.Data, Description = $"chosen {parts[1]}, rejected {parts[2]}",
            };
        }

        throw new FormatException($"'{name}' is not a comparison variant; use {string.Join(", ", Defaults(seed).Select(v => v.Name))}, random, rdpo:B1, position:CHOSEN:REJECTED, or NAME@same-epochs.");
    }

    private static ComparisonVariant Rdpo(PairStrategyOptions sweet, double beta1)
    {
        var label = beta1.ToString(CultureInfo.InvariantCulture);
        return new($"rdpo:{label}", sweet, new DatasetSelectionOptions(), [new(LossKind.Rdpo)])
        {
            Beta1 = beta1, Changes = VariantChange.Loss, Description = $"RDPO, β₁ = {label}",
        };
    }
}
