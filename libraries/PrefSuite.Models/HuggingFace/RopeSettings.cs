namespace PrefSuite.Models.HuggingFace;

/// <summary>Rotary position embedding settings: base, scaling type and its parameters (transformers' rope_scaling).</summary>
public sealed record RopeSettings
{
    public double Theta { get; init; } = 10000;

    /// <summary>"default", "linear", "llama3" or "yarn".</summary>
    public string Type { get; init; } = "default";

    public double Factor { get; init; } = 1;

    public double LowFreqFactor { get; init; } = 1;

    public double HighFreqFactor { get; init; } = 4;

    public int? OriginalMaxPositions { get; init; }

    public double? BetaFast { get; init; }

    public double? BetaSlow { get; init; }

    public double? AttentionFactor { get; init; }

    public double? Mscale { get; init; }

    public double? MscaleAllDim { get; init; }

    public bool Truncate { get; init; } = true;
}
