using System.ComponentModel.DataAnnotations;
using PrefSuite.Science.Routing;

namespace PrefSuite.Science.Margins;

/// <summary>Dataset-level selection settings (SCIENCE.md §3 and §6); defaults keep every pair and route none.</summary>
public sealed record DatasetSelectionOptions
{
    public AggregationMethod Aggregation { get; init; } = AggregationMethod.Bayes;

    /// <summary>A fixed cap for the external margin; null takes <see cref="CapQuantile"/> of the dataset's margins.</summary>
    public double? ExternalCap { get; init; }

    /// <summary>A fixed cap for the implicit margin; null takes <see cref="CapQuantile"/> of the dataset's margins.</summary>
    public double? ImplicitCap { get; init; }

    [Range(0.0, 1.0)]
    public double CapQuantile { get; init; } = MarginProbability.DefaultCapQuantile;

    public KeepRule Keep { get; init; } = KeepRule.All;

    public bool RouteSmallMargins { get; init; }

    [Range(0.0, 1.0)]
    public double RouteQuantile { get; init; } = SmallMarginRouting.DefaultThresholdQuantile;
}
