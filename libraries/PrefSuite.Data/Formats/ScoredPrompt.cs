using PrefSuite.Science.Augmentation;

namespace PrefSuite.Data.Formats;

/// <summary>One sampled response with its scores (DESIGN.md's scored-prompt format).</summary>
/// <param name="Reward">The scalar reward (the scorers' combination, or the dataset's score column).</param>
/// <param name="Rewards">The reward heads, when the scorer emitted a vector.</param>
/// <param name="ImplicitReward">β·(logπθ − logπref), when known.</param>
/// <param name="Logprob">The summed log-probability of the response under the sampling policy, when known.</param>
/// <param name="DenoisedReward">The reward after robust PCA of the prompt's comparisons, when denoising ran; selection prefers it.</param>
public sealed record ScoredResponse(string Text, double Reward, IReadOnlyDictionary<string, double>? Rewards = null, double? ImplicitReward = null, double? Logprob = null, double? DenoisedReward = null)
{
    /// <summary>The reward selection uses: the denoised one when there is one.</summary>
    public double SelectionReward => DenoisedReward ?? Reward;
}

/// <summary>A prompt with its N scored responses; <see cref="SourceLine"/> locates it in the file it came from.</summary>
public sealed record ScoredPrompt(string PromptId, PromptText Prompt, IReadOnlyList<ScoredResponse> Responses)
{
    public int SourceLine { get; init; }

    public string? SourceFile { get; init; }

    /// <summary>The row it came from (a JSONL line, or a Parquet row group and row), when read from a file.</summary>
    public Rows.RowLocation? Source { get; init; }
}
