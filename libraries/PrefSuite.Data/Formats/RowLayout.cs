using System.Text;
using PrefSuite.Data.Rows;

namespace PrefSuite.Data.Formats;

/// <summary>
/// Where a dataset's rows keep the prompt, its responses and their scores: one of the known layouts (PrefSuite's
/// scored prompts, UltraFeedback, distilabel, TRL preference rows), with any column renamed by a
/// <see cref="ColumnMapping"/>. Decided once per file, from its first row or its Parquet columns.
/// </summary>
internal sealed class RowLayout
{
    private static readonly string[] DefaultTextKeys = ["text", "response", "completion", "content", "output", "generation"];
    private static readonly string[] DefaultScoreKeys = ["reward", "score", "rating"];

    private RowLayout(InputFormat format)
    {
        Format = format;
    }

    public InputFormat Format { get; }

    /// <summary>Rows hold one chosen and one rejected response (TRL preference rows) instead of a list.</summary>
    public bool IsPair => Format == InputFormat.UltraFeedbackBinarized;

    public Key Prompt { get; private init; }

    public Key? Id { get; private init; }

    public Key Responses { get; private init; }

    /// <summary>Candidate text fields of a response object, in order of preference.</summary>
    public Key[] Texts { get; private init; } = [];

    /// <summary>Candidate score fields of a response object, in order of preference.</summary>
    public Key[] Scores { get; private init; } = [];

    /// <summary>A top-level list of scores parallel to a list of response strings (distilabel's "ratings").</summary>
    public Key? ParallelScores { get; private init; }

    /// <summary>Responses whose score is null are dropped (distilabel marks failed ratings so).</summary>
    public bool SkipsUnrated { get; private init; }

    /// <summary>UltraFeedback's per-aspect annotations become reward heads.</summary>
    public bool AnnotationHeads { get; private init; }

    /// <summary>PrefSuite's own files must not repeat an id (a merge gone wrong); public datasets do repeat prompts.</summary>
    public bool RepeatedIdsAreErrors { get; private init; }

    public Key Chosen { get; private init; }

    public Key Rejected { get; private init; }

    public Key ScoreChosen { get; private init; }

    public Key ScoreRejected { get; private init; }

    /// <summary>Top-level fields the layout knows and does not use (no note for them).</summary>
    public IReadOnlySet<string> KnownTop { get; private init; } = new HashSet<string>();

    /// <summary>Response-object fields the layout knows and does not use.</summary>
    public IReadOnlySet<string> KnownResponse { get; private init; } = new HashSet<string>();

    /// <summary>The fields of a response object that carry PrefSuite's extra scores.</summary>
    public static Key Heads { get; } = new("rewards");

    public static Key Annotations { get; } = new("annotations");

    public static Key ImplicitReward { get; } = new("implicit_reward");

    public static Key Logprob { get; } = new("logprob");

    public static Key DenoisedReward { get; } = new("denoised_reward");

    /// <summary>The top-level columns this layout reads (Parquet reads only these).</summary>
    public bool Reads(string column) =>
        column == Prompt.Name || column == Id?.Name || column == Responses.Name || column == ParallelScores?.Name
        || (IsPair && (column == Chosen.Name || column == Rejected.Name || column == ScoreChosen.Name || column == ScoreRejected.Name));

    /// <summary>Decides the layout from the format asked for, the mapping and the first row's (or the file's) columns.</summary>
    public static RowLayout Resolve(ScoredReadOptions options, IReadOnlyCollection<string> columns, string file, RowLocation? location)
    {
        ArgumentNullException.ThrowIfNull(options);
        var mapping = options.Mapping;
        var format = options.Format;
        if (format == InputFormat.Auto)
        {
            format = mapping.ResponsesKey is not null ? InputFormat.Mapped
                : columns.Contains("responses") ? InputFormat.Scored
                : columns.Contains("completions") ? InputFormat.UltraFeedback
                : columns.Contains("generations") ? InputFormat.Distilabel
                : columns.Contains("chosen") && columns.Contains("rejected") ? InputFormat.UltraFeedbackBinarized
                : throw new DataFormatException(file, location, null,
                    $"cannot tell the format from its fields ({string.Join(", ", columns.Take(12))}): expected 'responses' (scored), 'completions' (UltraFeedback), " +
                    "'generations' (distilabel) or 'chosen' and 'rejected' (TRL preference rows); name other layouts with --prompt-key, --responses-key and --score-key");
        }

        var layout = format switch
        {
            InputFormat.Scored => new RowLayout(format)
            {
                Prompt = new("prompt"),
                Id = new("prompt_id"),
                Responses = new("responses"),
                Texts = [new("text")],
                Scores = [new("reward")],
                RepeatedIdsAreErrors = true,
            },
            InputFormat.UltraFeedback => new RowLayout(format)
            {
                Prompt = new("instruction"),
                Responses = new("completions"),
                Texts = [new("response")],
                Scores = [new(options.UltraFeedbackScore == UltraFeedbackScore.Overall ? "overall_score" : "fine-grained_score")],
                AnnotationHeads = true,
                KnownTop = new HashSet<string>(["source", "models", "correct_answers", "incorrect_answers"], StringComparer.Ordinal),
                KnownResponse = new HashSet<string>(["model", "overall_score", "fine-grained_score", "critique", "custom_system_prompt", "principle", "annotations"], StringComparer.Ordinal),
            },
            InputFormat.Distilabel => new RowLayout(format)
            {
                Prompt = new("instruction"),
                Responses = new("generations"),
                ParallelScores = new("ratings"),
                SkipsUnrated = true,
                KnownTop = new HashSet<string>(
                    ["rationales", "model_names", "model_name", "generation_model", "generation_models", "labelling_model", "labelling_prompt",
                     "raw_labelling_response", "raw_generation_responses", "ultrafeedback_model", "distilabel_metadata", "input"],
                    StringComparer.Ordinal),
            },
            InputFormat.UltraFeedbackBinarized => new RowLayout(format)
            {
                Prompt = new("prompt"),
                Id = new("prompt_id"),
                Chosen = new("chosen"),
                Rejected = new("rejected"),
                ScoreChosen = new("score_chosen"),
                ScoreRejected = new("score_rejected"),
                KnownTop = new HashSet<string>(["messages"], StringComparer.Ordinal),
            },
            InputFormat.Mapped => new RowLayout(format)
            {
                Prompt = new("prompt"),
                Id = new("prompt_id"),
                Responses = new(mapping.ResponsesKey ?? throw new DataFormatException(file, location, null, "the mapped format needs --responses-key (the column with the list of responses)")),
                Texts = [.. DefaultTextKeys.Select(k => new Key(k))],
                Scores = [.. DefaultScoreKeys.Select(k => new Key(k))],
                ParallelScores = mapping.ScoreKey is { } parallel ? new(parallel) : null,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(options), format, "Unknown input format."),
        };

        return layout.With(mapping);
    }

    private RowLayout With(ColumnMapping mapping) => mapping.IsEmpty ? this : new RowLayout(Format)
    {
        Prompt = mapping.PromptKey is { } prompt ? new(prompt) : Prompt,
        Id = mapping.IdKey is { } id ? new(id) : Id,
        Responses = mapping.ResponsesKey is { } responses ? new(responses) : Responses,
        Texts = mapping.TextKey is { } text ? [new(text)] : Texts,
        Scores = mapping.ScoreKey is { } score ? [new(score)] : Scores,
        ParallelScores = ParallelScores is null ? null : mapping.ScoreKey is { } parallel ? new(parallel) : ParallelScores,
        SkipsUnrated = SkipsUnrated,
        AnnotationHeads = AnnotationHeads,
        RepeatedIdsAreErrors = RepeatedIdsAreErrors,
        Chosen = Chosen,
        Rejected = Rejected,
        ScoreChosen = ScoreChosen,
        ScoreRejected = ScoreRejected,
        KnownTop = KnownTop,
        KnownResponse = KnownResponse,
    };

    /// <summary>A field name with its UTF-8 bytes, compared against the reader's property names without a string.</summary>
    internal readonly record struct Key(string Name)
    {
        public byte[] Utf8 { get; } = Encoding.UTF8.GetBytes(Name);

        public bool Matches(ReadOnlySpan<byte> name) => Utf8 is not null && name.SequenceEqual(Utf8);
    }
}
