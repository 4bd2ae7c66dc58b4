using System.ComponentModel.DataAnnotations;

namespace PrefSuite.Models.Training;

/// <summary>The constants of the DPO-family losses; defaults from SCIENCE.md §1.</summary>
public sealed record LossSettings
{
    [Range(1e-9, 1e9)]
    public double Beta { get; init; } = 0.1;

    /// <summary>Label-noise rate of the robust loss.</summary>
    [Range(0.0, 0.4999)]
    public double Epsilon { get; init; } = 0.1;

    /// <summary>Offset scale of ODPO.</summary>
    [Range(0.0, 1e9)]
    public double Alpha { get; init; } = 1.0;

    /// <summary>Rating-gap scale of RDPO and ML-RDPO; must be tuned per model (papers: 0.1 vs 0.005).</summary>
    [Range(1e-12, 1e12)]
    public double Beta1 { get; init; } = 0.1;

    /// <summary>Weight of ML-RDPO's rating likelihood.</summary>
    [Range(0.0, 1e9)]
    public double Lambda { get; init; } = 1.0;
}
