using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace PrefSuite.Science.Losses;

/// <summary>
/// The constants of the DPO-family losses; defaults from SCIENCE.md §1 except β₁ (docs/science.md, "Loss constants").
/// Every constant but β and β₁ may be 0: ε = 0 and α = 0 make the robust loss and ODPO the sigmoid loss, λ = 0 leaves
/// ML-RDPO's ranking term alone.
/// </summary>
public sealed record LossSettings
{
    /// <summary>The default β₁: sized for a 1–10 rating scale, so ML-RDPO's squared term does not dominate its log-sigmoid term.</summary>
    public const double DefaultBeta1 = 5.0;

    [Range(1e-9, 1e9)]
    public double Beta { get; init; } = 0.1;

    /// <summary>Label-noise rate of the robust loss, in [0, 0.5): at 0.5 the loss divides by 1 − 2ε = 0.</summary>
    [Range(0.0, 0.4999)]
    public double Epsilon { get; init; } = 0.1;

    /// <summary>Offset scale of ODPO.</summary>
    [Range(0.0, 1e9)]
    public double Alpha { get; init; } = 1.0;

    /// <summary>Rating-gap scale of RDPO and ML-RDPO (rating units per nat); must be tuned per model and rating scale.</summary>
    [Range(1e-12, 1e12)]
    public double Beta1 { get; init; } = DefaultBeta1;

    /// <summary>Weight of ML-RDPO's rating likelihood.</summary>
    [Range(0.0, 1e9)]
    public double Lambda { get; init; } = 1.0;

    /// <summary>
    /// What is wrong with these constants: each problem names the property (for the caller to spell as its CLI flag,
    /// config key or proto field) and the rule it breaks; empty when they are valid.
    /// </summary>
    public IReadOnlyList<(string Property, string Problem)> Problems()
    {
        var problems = new List<(string, string)>();
        Check(nameof(Beta), Beta, Beta > 0, "must be positive");
        Check(nameof(Epsilon), Epsilon, Epsilon is >= 0 and < 0.5, "must lie in [0, 0.5) (the robust loss divides by 1 − 2ε)");
        Check(nameof(Alpha), Alpha, Alpha >= 0, "must not be negative");
        Check(nameof(Beta1), Beta1, Beta1 > 0, "must be positive (RDPO and ML-RDPO divide the rating gap by it)");
        Check(nameof(Lambda), Lambda, Lambda >= 0, "must not be negative");
        return problems;

        void Check(string property, double value, bool valid, string rule)
        {
            if (!valid || !double.IsFinite(value))
            {
                problems.Add((property, string.Create(CultureInfo.InvariantCulture, $"{rule}, got {value}")));
            }
        }
    }
}
