namespace PrefSuite.Data.Formats;

/// <summary>The dataset layouts PrefSuite reads prompts with scored responses from (JSONL or Parquet).</summary>
public enum InputFormat
{
    /// <summary>Decide from the first row's fields (JSONL) or the columns (Parquet).</summary>
    Auto,

    /// <summary>PrefSuite's scored prompts: {"prompt_id", "prompt", "responses": [{"text", "reward", …}]}.</summary>
    Scored,

    /// <summary>openbmb/UltraFeedback rows: {"instruction", "completions": [{"response", "overall_score", "fine-grained_score", "annotations"}]}.</summary>
    UltraFeedback,

    /// <summary>
    /// TRL preference rows, as HuggingFaceH4/ultrafeedback_binarized ships them: {"prompt", "chosen", "rejected",
    /// "score_chosen", "score_rejected"}, strings or message lists; without "prompt", the prompt is the chosen
    /// conversation before its last assistant turn (TRL's implicit prompt).
    /// </summary>
    UltraFeedbackBinarized,

    /// <summary>distilabel's layout: {"instruction", "generations": [string], "ratings": [number or null]}.</summary>
    Distilabel,

    /// <summary>Any layout named by a <see cref="ColumnMapping"/>: a prompt column and a list of responses.</summary>
    Mapped,
}

/// <summary>Which UltraFeedback score becomes the reward.</summary>
public enum UltraFeedbackScore
{
    /// <summary>"fine-grained_score": the mean of the four aspect ratings (what ultrafeedback_binarized uses).</summary>
    FineGrained,

    /// <summary>"overall_score": the critique's overall rating.</summary>
    Overall,
}

/// <summary>
/// Column names for datasets of other layouts, as OpenRLHF's --prompt_key and TRL users expect: the prompt column,
/// the column with the list of responses (strings or objects), and the score — a field of each response object, or
/// a top-level list parallel to a list of strings. Any key left null keeps the detected layout's.
/// </summary>
public sealed record ColumnMapping
{
    /// <summary>The prompt column (a string or a list of {role, content} messages).</summary>
    public string? PromptKey { get; init; }

    /// <summary>The column with the list of responses.</summary>
    public string? ResponsesKey { get; init; }

    /// <summary>The score: a field of each response object, or a top-level list of numbers beside a list of strings.</summary>
    public string? ScoreKey { get; init; }

    /// <summary>The text field of each response object (default: the first of text, response, completion, content, output, generation).</summary>
    public string? TextKey { get; init; }

    /// <summary>The prompt id column (default prompt_id; without one, the id is the SHA-256 of the prompt).</summary>
    public string? IdKey { get; init; }

    public bool IsEmpty => PromptKey is null && ResponsesKey is null && ScoreKey is null && TextKey is null && IdKey is null;
}

/// <summary>How scored prompts are read.</summary>
public sealed record ScoredReadOptions
{
    public InputFormat Format { get; init; } = InputFormat.Auto;

    /// <summary>Column names that override the layout's.</summary>
    public ColumnMapping Mapping { get; init; } = new();

    /// <summary>Refuse fields the layout does not use instead of ignoring them with a note.</summary>
    public bool Strict { get; init; }

    /// <summary>Where ignored fields are recorded (for the note a command prints); null: not recorded.</summary>
    public FieldNotes? Notes { get; init; }

    /// <summary>Reduces "rewards" heads to the reward when a response has no "reward".</summary>
    public Science.Scoring.HeadWeights HeadWeights { get; init; } = Science.Scoring.HeadWeights.EqualMean;

    public UltraFeedbackScore UltraFeedbackScore { get; init; } = UltraFeedbackScore.FineGrained;

    /// <summary>Whether every response needs a reward; sampled-but-unscored files set this false (rewards are then NaN).</summary>
    public bool RequireRewards { get; init; } = true;

    public static InputFormat ParseFormat(string name) => name.Trim().ToLowerInvariant() switch
    {
        "auto" => InputFormat.Auto,
        "scored" or "prefsuite" => InputFormat.Scored,
        "ultrafeedback" => InputFormat.UltraFeedback,
        "ultrafeedback-binarized" or "ultrafeedback_binarized" or "preference" or "trl" or "trl-preference" => InputFormat.UltraFeedbackBinarized,
        "distilabel" => InputFormat.Distilabel,
        "mapped" => InputFormat.Mapped,
        _ => throw new FormatException($"'{name}' is not an input format; use auto, scored, ultrafeedback, ultrafeedback-binarized (any TRL preference rows), distilabel or mapped."),
    };
}
