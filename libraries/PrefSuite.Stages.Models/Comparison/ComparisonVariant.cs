using PrefSuite.Science.Losses;
using PrefSuite.Science.Margins;
using PrefSuite.Science.Pairs;
using PrefSuite.Science.Statistics;

namespace PrefSuite.Stages.Comparison;

/// <summary>One way to build and train on preference data: a pair strategy, dataset-level selection, and losses.</summary>
public sealed record ComparisonVariant(string Name, PairStrategyOptions Strategy, DatasetSelectionOptions Dataset, IReadOnlyList<LossTerm> Losses)
{
    /// <summary>
    /// The constructions SCIENCE.md §8 asks to compare: sweet-spot, max-min, max-min-of-k-random, margin-selected
    /// top 10%, sweet-spot with small-margin routing, and sweet-spot pairs trained with the rating-aware RDPO loss.
    /// </summary>
    public static IReadOnlyList<ComparisonVariant> Defaults(ulong seed)
    {
        LossTerm[] dpo = [new(LossKind.Sigmoid)];
        var sweet = new PairStrategyOptions { Seed = seed };
        return
        [
            new("sweet-spot", sweet, new DatasetSelectionOptions(), dpo),
            new("max-min", sweet with { Name = StrategyNames.MaxMin }, new DatasetSelectionOptions(), dpo),
            new("max-min-of-5-random", sweet with { Name = StrategyNames.MaxMinOfKRandom, K = 5 }, new DatasetSelectionOptions(), dpo),
            new("top-10%-margin", sweet, new DatasetSelectionOptions { Keep = KeepRule.Default }, dpo),
            new("sweet-spot+routing", sweet, new DatasetSelectionOptions { RouteSmallMargins = true }, dpo),
            new("sweet-spot+rdpo", sweet, new DatasetSelectionOptions(), [new(LossKind.Rdpo)]),
        ];
    }

    /// <summary>A variant by its name (the defaults', or "random", or "position:CHOSEN:REJECTED").</summary>
    public static ComparisonVariant Parse(string name, ulong seed)
    {
        if (Defaults(seed).FirstOrDefault(v => v.Name == name) is { } known)
        {
            return known;
        }

        LossTerm[] dpo = [new(LossKind.Sigmoid)];
        if (name == "random")
        {
            return new(name, new PairStrategyOptions { Name = StrategyNames.Random, Seed = seed }, new DatasetSelectionOptions(), dpo);
        }

        var parts = name.Split(':');
        if (parts.Length == 3 && parts[0] == "position")
        {
            return new(name, new PairStrategyOptions { Name = StrategyNames.SweetSpot, Chosen = RewardPosition.Parse(parts[1]), Rejected = RewardPosition.Parse(parts[2]), Seed = seed }, new DatasetSelectionOptions(), dpo);
        }

        throw new FormatException($"'{name}' is not a comparison variant; use {string.Join(", ", Defaults(seed).Select(v => v.Name))}, random, or position:CHOSEN:REJECTED.");
    }
}
