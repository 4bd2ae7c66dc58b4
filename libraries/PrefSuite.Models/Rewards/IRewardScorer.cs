using PrefSuite.Science.Augmentation;

namespace PrefSuite.Models.Rewards;

/// <summary>
/// One response to score: the prompt it answers (as flat text, and as the conversation when it is one), its text, and
/// whether it ended by itself. Scorers with a chat convention (Hugging Face reward models, implicit rewards) read
/// <see cref="Conversation"/>; programmatic rewards read its last user turn; other text scorers read <see cref="Prompt"/>.
/// </summary>
public sealed record ScoringItem(string Prompt, string Response, bool Ended = true)
{
    public PromptText Conversation { get; init; } = PromptText.FromText(Prompt);
}

/// <summary>A response's reward vector: the scalar reward and every head.</summary>
public sealed record RewardVector(double Reward, IReadOnlyDictionary<string, double> Heads);

/// <summary>Anything that scores responses: ONNX reward models, programmatic rewards, implicit rewards.</summary>
public interface IRewardScorer
{
    /// <summary>Stable id used in cache keys and files, e.g. "onnx:tiny-rm", "programmatic:sorting", "implicit".</summary>
    string Id { get; }

    /// <summary>Changes whenever the scores could change (content hash of the model, settings), so caches stay right.</summary>
    string Version { get; }

    IReadOnlyList<string> Heads { get; }

    Task<IReadOnlyList<RewardVector>> ScoreAsync(IReadOnlyList<ScoringItem> items, CancellationToken cancellationToken = default);
}
