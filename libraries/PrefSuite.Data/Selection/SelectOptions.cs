using PrefSuite.Science.Margins;
using PrefSuite.Science.Pairs;

namespace PrefSuite.Data.Selection;

/// <summary>Per-prompt pair construction plus dataset-level selection.</summary>
public sealed record SelectOptions
{
    public PairStrategyOptions Strategy { get; init; } = new();

    public DatasetSelectionOptions Dataset { get; init; } = new();
}
