namespace PrefSuite.Models.HuggingFace;

/// <summary>
/// Inverse frequencies of rotary position embeddings for each scaling type, as transformers' rope init functions
/// compute them (modeling_rope_utils: default, linear, llama3, yarn), and the attention factor that scales cos and sin.
/// </summary>
public static class RotaryFrequencies
{
    public static IReadOnlyList<string> SupportedTypes { get; } = ["default", "linear", "llama3", "yarn"];

    /// <summary>(inverse frequencies for dimension pairs 0, 2, …, dim − 2; attention factor).</summary>
    public static (double[] InverseFrequencies, double AttentionFactor) Compute(RopeSettings rope, int dim, int maxPositions)
    {
        ArgumentNullException.ThrowIfNull(rope);
        var basic = Default(rope.Theta, dim);
        switch (rope.Type)
        {
            case "default":
                return (basic, 1.0);
            case "linear":
                return (basic.Select(f => f / rope.Factor).ToArray(), 1.0);
            case "llama3":
                return (Llama3(basic, rope), 1.0);
            case "yarn":
                return Yarn(rope, dim, maxPositions);
            default:
                throw new ArgumentException($"rope type '{rope.Type}' is not supported (supported: {string.Join(", ", SupportedTypes)}).", nameof(rope));
        }
    }

    private static double[] Default(double theta, int dim)
    {
        var result = new double[dim / 2];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = 1.0 / Math.Pow(theta, (2.0 * i) / dim);
        }

        return result;
    }

    /// <summary>Llama 3.1: long wavelengths divided by the factor, short ones kept, the band between smoothed.</summary>
    private static double[] Llama3(double[] basic, RopeSettings rope)
    {
        var old = rope.OriginalMaxPositions ?? throw new ArgumentException("llama3 rope scaling needs original_max_position_embeddings.", nameof(rope));
        var lowWavelength = old / rope.LowFreqFactor;
        var highWavelength = old / rope.HighFreqFactor;
        var result = new double[basic.Length];
        for (var i = 0; i < basic.Length; i++)
        {
            var wavelength = 2 * Math.PI / basic[i];
            if (wavelength < highWavelength)
            {
                result[i] = basic[i];
            }
            else if (wavelength > lowWavelength)
            {
                result[i] = basic[i] / rope.Factor;
            }
            else
            {
                var smooth = ((old / wavelength) - rope.LowFreqFactor) / (rope.HighFreqFactor - rope.LowFreqFactor);
                result[i] = ((1 - smooth) * basic[i] / rope.Factor) + (smooth * basic[i]);
            }
        }

        return result;
    }

    /// <summary>YaRN: interpolation and extrapolation blended by a linear ramp between the correction dimensions.</summary>
    private static (double[], double) Yarn(RopeSettings rope, int dim, int maxPositions)
    {
        var factor = rope.Factor;
        var original = rope.OriginalMaxPositions ?? maxPositions;
        static double MScale(double scale, double m = 1) => scale <= 1 ? 1.0 : (0.1 * m * Math.Log(scale)) + 1.0;
        var attention = rope.AttentionFactor
            ?? (rope.Mscale is { } m && m != 0 && rope.MscaleAllDim is { } all && all != 0 ? MScale(factor, m) / MScale(factor, all) : MScale(factor));
        var betaFast = rope.BetaFast is { } bf && bf != 0 ? bf : 32;
        var betaSlow = rope.BetaSlow is { } bs && bs != 0 ? bs : 1;
        double CorrectionDim(double rotations) => dim * Math.Log(original / (rotations * 2 * Math.PI)) / (2 * Math.Log(rope.Theta));
        var low = CorrectionDim(betaFast);
        var high = CorrectionDim(betaSlow);
        if (rope.Truncate)
        {
            low = Math.Floor(low);
            high = Math.Ceiling(high);
        }

        low = Math.Max(low, 0);
        high = Math.Min(high, dim - 1);
        if (low == high)
        {
            high += 0.001;
        }

        var result = new double[dim / 2];
        for (var i = 0; i < result.Length; i++)
        {
            var position = Math.Pow(rope.Theta, (2.0 * i) / dim);
            var extrapolation = 1.0 / position;
            var interpolation = 1.0 / (factor * position);
            var ramp = Math.Clamp((i - low) / (high - low), 0, 1);
            var extrapolationFactor = 1 - ramp;
            result[i] = (interpolation * (1 - extrapolationFactor)) + (extrapolation * extrapolationFactor);
        }

        return (result, attention);
    }
}
