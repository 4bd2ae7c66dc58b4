using System.Globalization;

namespace PrefSuite.Science.Scoring;

/// <summary>
/// Reduces a vector of reward heads to the scalar reward: Σ w_h·r_h over the weighted heads. With no weights given,
/// every head weighs the same (the mean).
/// </summary>
public sealed class HeadWeights
{
    private readonly IReadOnlyDictionary<string, double>? _weights;

    private HeadWeights(IReadOnlyDictionary<string, double>? weights) => _weights = weights;

    public static HeadWeights EqualMean { get; } = new(null);

    public IReadOnlyDictionary<string, double>? Weights => _weights;

    public static HeadWeights Of(IReadOnlyDictionary<string, double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count == 0)
        {
            throw new ArgumentException("At least one head weight is needed.", nameof(weights));
        }

        foreach (var (head, weight) in weights)
        {
            if (!double.IsFinite(weight))
            {
                throw new ArgumentException($"The weight of head '{head}' is {weight}; weights must be finite.", nameof(weights));
            }
        }

        return new HeadWeights(new Dictionary<string, double>(weights, StringComparer.Ordinal));
    }

    /// <summary>Parses "helpfulness=0.5,honesty=0.5".</summary>
    public static HeadWeights Parse(string text)
    {
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pieces.Length != 2 || pieces[0].Length == 0 ||
                !double.TryParse(pieces[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var weight))
            {
                throw new FormatException($"'{part}' is not HEAD=WEIGHT (for example helpfulness=0.5).");
            }

            weights[pieces[0]] = weight;
        }

        return Of(weights);
    }

    /// <summary>The scalar reward; throws <see cref="KeyNotFoundException"/> naming a weighted head the vector lacks.</summary>
    public double Combine(IReadOnlyDictionary<string, double> heads)
    {
        ArgumentNullException.ThrowIfNull(heads);
        if (_weights is null)
        {
            return heads.Count == 0
                ? throw new ArgumentException("The reward vector has no heads.", nameof(heads))
                : heads.Values.Average();
        }

        double sum = 0;
        foreach (var (head, weight) in _weights)
        {
            if (!heads.TryGetValue(head, out var value))
            {
                throw new KeyNotFoundException($"The reward vector has no head '{head}' (it has {string.Join(", ", heads.Keys)}).");
            }

            sum += weight * value;
        }

        return sum;
    }
}
