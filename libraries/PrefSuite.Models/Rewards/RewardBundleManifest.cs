using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PrefSuite.Models.Rewards;

/// <summary>
/// manifest.json of a reward model bundle (a folder with model.onnx and this file): how to feed the model and read its
/// heads. Unknown fields are rejected, so a typo is an error rather than a silently ignored setting.
/// </summary>
public sealed record RewardBundleManifest
{
    public const string CurrentFormat = "prefsuite-reward/1";
    public const string FileName = "manifest.json";
    public const string ModelFile = "model.onnx";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
    };

    public string Format { get; init; } = CurrentFormat;

    [Required]
    public string Name { get; init; } = string.Empty;

    /// <summary>A tokenizer PrefSuite knows (see Tokenizers.Names), or a Hugging Face tokenizer.json in the bundle ("tokenizer.json").</summary>
    [Required]
    public string Tokenizer { get; init; } = string.Empty;

    /// <summary>How prompt and response become one text: "{prompt}" and "{response}" are replaced (unless a chat template is given).</summary>
    public string Template { get; init; } = "{prompt}\n{response}";

    /// <summary>
    /// A Jinja chat template (inline, or the name of a .jinja file in the bundle): the conversation with the response as
    /// the assistant's turn is rendered as transformers' apply_chat_template renders it (text prompts become one user turn).
    /// </summary>
    public string? ChatTemplate { get; init; }

    /// <summary>bos_token passed to the chat template, and the token add_bos adds with a tokenizer.json.</summary>
    public string? BosToken { get; init; }

    /// <summary>eos_token passed to the chat template, and the token add_eos adds with a tokenizer.json.</summary>
    public string? EosToken { get; init; }

    /// <summary>The id filling padded positions; null uses the tokenizer's own.</summary>
    [Range(0, int.MaxValue)]
    public int? PadId { get; init; }

    /// <summary>Whether <see cref="Tokenizer"/> names a Hugging Face tokenizer.json file of the bundle.</summary>
    [JsonIgnore]
    public bool UsesTokenizerFile => Tokenizer.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    public bool AddBos { get; init; } = true;

    public bool AddEos { get; init; } = true;

    /// <summary>The token-id input of the graph (int64 [batch, sequence]).</summary>
    public string InputIds { get; init; } = "input_ids";

    /// <summary>The attention-mask input (int64 [batch, sequence], 1 = token), or null when the graph has none.</summary>
    public string? AttentionMask { get; init; } = "attention_mask";

    [Range(1, 1_000_000)]
    public int MaxLength { get; init; } = 512;

    /// <summary>"right" or "left": where padding goes within a batch.</summary>
    public string PaddingSide { get; init; } = "right";

    /// <summary>"left" keeps the end of an over-long text (the response); "right" keeps its start.</summary>
    public string Truncation { get; init; } = "left";

    /// <summary>The output: float [batch, heads] (or [batch] for one head).</summary>
    public string Output { get; init; } = "rewards";

    /// <summary>Head names in output order.</summary>
    public IReadOnlyList<string> Heads { get; init; } = ["reward"];

    /// <summary>Weights turning the heads into the scalar reward; null averages them.</summary>
    public IReadOnlyDictionary<string, double>? Weights { get; init; }

    [Range(1, 4096)]
    public int BatchSize { get; init; } = 32;

    public static RewardBundleManifest Load(string path)
    {
        RewardBundleManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<RewardBundleManifest>(File.ReadAllText(path), Json);
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{path}: {error.Message}", error);
        }

        if (manifest is null)
        {
            throw new InvalidDataException($"{path} is empty.");
        }

        manifest.Validate(path);
        return manifest;
    }

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    private void Validate(string path)
    {
        if (Format != CurrentFormat)
        {
            throw new InvalidDataException($"{path}: format '{Format}' is not '{CurrentFormat}'.");
        }

        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true))
        {
            throw new InvalidDataException($"{path}: {string.Join("; ", results.Select(r => r.ErrorMessage))}");
        }

        if (PaddingSide is not ("left" or "right") || Truncation is not ("left" or "right"))
        {
            throw new InvalidDataException($"{path}: padding_side and truncation must be 'left' or 'right'.");
        }

        if (UsesTokenizerFile && (Tokenizer.Contains('/', StringComparison.Ordinal) || Tokenizer.Contains('\\', StringComparison.Ordinal)))
        {
            throw new InvalidDataException($"{path}: tokenizer must name a file in the bundle folder, not a path ('{Tokenizer}').");
        }

        if (!UsesTokenizerFile && !Tokenization.Tokenizers.Names.Contains(Tokenizer))
        {
            throw new InvalidDataException($"{path}: tokenizer '{Tokenizer}' is neither a known tokenizer ({string.Join(", ", Tokenization.Tokenizers.Names)}) nor a tokenizer.json file of the bundle.");
        }

        if (Heads.Count == 0)
        {
            throw new InvalidDataException($"{path}: heads must name at least one output head.");
        }

        if (Weights is not null && Weights.Keys.FirstOrDefault(k => !Heads.Contains(k)) is { } unknown)
        {
            throw new InvalidDataException($"{path}: weights name head '{unknown}', which is not among heads ({string.Join(", ", Heads)}).");
        }
    }
}
