namespace PrefSuite.Data.Formats;

/// <summary>The JSONL layouts PrefSuite reads scored prompts from.</summary>
public enum InputFormat
{
    /// <summary>Decide from the first row's fields.</summary>
    Auto,

    /// <summary>PrefSuite's scored prompts: {"prompt_id", "prompt", "responses": [{"text", "reward", …}]}.</summary>
    Scored,

    /// <summary>openbmb/UltraFeedback rows: {"instruction", "completions": [{"response", "overall_score", "fine-grained_score", "annotations"}]}.</summary>
    UltraFeedback,

    /// <summary>HuggingFaceH4/ultrafeedback_binarized rows: {"prompt", "prompt_id", "chosen", "rejected", "score_chosen", "score_rejected"}.</summary>
    UltraFeedbackBinarized,
}

/// <summary>Which UltraFeedback score becomes the reward.</summary>
public enum UltraFeedbackScore
{
    /// <summary>"fine-grained_score": the mean of the four aspect ratings (what ultrafeedback_binarized uses).</summary>
    FineGrained,

    /// <summary>"overall_score": the critique's overall rating.</summary>
    Overall,
}

/// <summary>How scored prompts are read.</summary>
public sealed record ScoredReadOptions
{
    public InputFormat Format { get; init; } = InputFormat.Auto;

    /// <summary>Reduces "rewards" heads to the reward when a response has no "reward".</summary>
    public Science.Scoring.HeadWeights HeadWeights { get; init; } = Science.Scoring.HeadWeights.EqualMean;

    public UltraFeedbackScore UltraFeedbackScore { get; init; } = UltraFeedbackScore.FineGrained;

    /// <summary>Whether every response needs a reward; sampled-but-unscored files set this false (rewards are then NaN).</summary>
    public bool RequireRewards { get; init; } = true;

    public static InputFormat ParseFormat(string name) => name.Trim().ToLowerInvariant() switch
    {
        "auto" => InputFormat.Auto,
        "scored" => InputFormat.Scored,
        "ultrafeedback" => InputFormat.UltraFeedback,
        "ultrafeedback-binarized" or "ultrafeedback_binarized" => InputFormat.UltraFeedbackBinarized,
        _ => throw new FormatException($"'{name}' is not an input format; use auto, scored, ultrafeedback or ultrafeedback-binarized."),
    };
}
