using System.ComponentModel.DataAnnotations;

namespace PrefSuite.Models.Policy;

/// <summary>How responses are sampled.</summary>
public sealed record SamplingOptions
{
    [Range(0.0, 100.0)]
    public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus sampling: keep the smallest set of tokens whose probability reaches this; 1 keeps all.</summary>
    [Range(0.0, 1.0)]
    public double TopP { get; init; } = 1.0;

    /// <summary>Keep only the k most likely tokens; 0 keeps all.</summary>
    [Range(0, int.MaxValue)]
    public int TopK { get; init; }

    [Range(1, 65536)]
    public int MaxNewTokens { get; init; } = 10;

    /// <summary>Generation stops when the decoded response ends with one of these (it is cut off).</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];

    public ulong Seed { get; init; }

    /// <summary>Rows decoded together (samples of one or several prompts).</summary>
    [Range(1, 4096)]
    public int BatchSize { get; init; } = 64;
}
