namespace PrefSuite.Science.Margins;

/// <summary>How the external and implicit margin probabilities combine into one (SCIENCE.md §3).</summary>
public enum AggregationMethod
{
    /// <summary>Bayesian aggregation with a uniform prior: p₁p₂ / (p₁p₂ + (1−p₁)(1−p₂)). The default.</summary>
    Bayes,

    /// <summary>The mean ("add") of the two probabilities.</summary>
    Mean,

    Max,

    Min,
}
