namespace PrefSuite.Models.Policy;

/// <summary>What a policy checkpoint folder says about itself (policy.json).</summary>
/// <param name="Format">"prefsuite-policy/1".</param>
/// <param name="WeightsSha256">SHA-256 of model.bin: the checkpoint's content hash and the key of every cache built from it.</param>
/// <param name="Parent">The content hash of the checkpoint this one was trained from, if any.</param>
/// <param name="Stage">What produced it: "init", "sft", "dpo", …</param>
public sealed record PolicyManifest(
    string Format,
    PolicyConfig Config,
    string Tokenizer,
    int VocabularySize,
    long Parameters,
    string WeightsSha256,
    string? Parent,
    string Stage,
    DateTimeOffset Created)
{
    public const string CurrentFormat = "prefsuite-policy/1";

    /// <summary>A short version label: the first 12 hex digits of the content hash.</summary>
    public string Version => WeightsSha256[..12];
}
