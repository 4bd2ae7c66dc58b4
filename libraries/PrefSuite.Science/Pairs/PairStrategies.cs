using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Pairs;

/// <summary>Builds a strategy from its stable name and options.</summary>
public static class PairStrategies
{
    public static IPairStrategy Create(PairStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Name switch
        {
            StrategyNames.SweetSpot => new PositionPairStrategy(
                StrategyNames.SweetSpot,
                options.Chosen ?? RewardPosition.Max,
                options.Rejected ?? RewardPosition.Sigma(-2),
                options.PairsPerPrompt,
                options.Sigma),
            StrategyNames.MaxMin => options.Chosen is not null || options.Rejected is not null
                ? throw new ArgumentException("The max-min strategy takes no positions; use 'position' or 'sweet-spot' to choose them.", nameof(options))
                : new PositionPairStrategy(StrategyNames.MaxMin, RewardPosition.Max, RewardPosition.Min, options.PairsPerPrompt, options.Sigma),
            StrategyNames.Position => new PositionPairStrategy(
                StrategyNames.Position,
                SevenOnly(options.Chosen, "chosen"),
                SevenOnly(options.Rejected, "rejected"),
                options.PairsPerPrompt,
                options.Sigma),
            StrategyNames.MaxMinOfKRandom => new MinOfKRandomStrategy(options.K, options.PairsPerPrompt, options.Seed),
            StrategyNames.Random => new RandomPairStrategy(options.PairsPerPrompt, options.Seed),
            _ => throw new ArgumentException($"Unknown strategy '{options.Name}'; expected one of {string.Join(", ", StrategyNames.All)}.", nameof(options)),
        };
    }

    private static RewardPosition SevenOnly(RewardPosition? position, string side)
    {
        if (position is not { } p)
        {
            throw new ArgumentException($"The position strategy needs a {side} position (one of {string.Join(", ", RewardPosition.Seven)}).");
        }

        return RewardPosition.Seven.Contains(p)
            ? p
            : throw new ArgumentException($"The position strategy takes one of the seven positions ({string.Join(", ", RewardPosition.Seven)}) as {side}; '{p}' is not one of them (sweet-spot takes any k).");
    }
}
