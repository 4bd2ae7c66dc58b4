using PrefSuite.Models.Tokenization;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Models.Policy;

/// <summary>
/// The built-in policy's convention: BOS + prompt tokens, response tokens + EOS. It has no chat template: a message
/// prompt is read as "role: content" lines.
/// </summary>
public sealed class BuiltInPolicyTokens(ITextTokenizer tokenizer) : IPolicyTokens
{
    public ITextTokenizer Tokenizer { get; } = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));

    public string Identity => Tokenizer.Name;

    public int VocabularySize => Tokenizer.VocabularySize;

    public int PadId => Tokenizer.PadId;

    public IReadOnlyList<int> StopIds => [Tokenizer.EosId];

    // A tokenizer whose BOS is its EOS keeps it samplable.
    public IReadOnlyList<int> NeverSampled => Tokenizer.BosId == Tokenizer.EosId ? [Tokenizer.PadId] : [Tokenizer.PadId, Tokenizer.BosId];

    public int[] EncodePrompt(PromptText prompt) => [Tokenizer.BosId, .. Tokenizer.Encode(RoleLines(prompt))];

    public int[] EncodeResponse(PromptText prompt, string response) => [.. Tokenizer.Encode(response), Tokenizer.EosId];

    public string DecodeResponse(IReadOnlyList<int> tokens) => Tokenizer.Decode(tokens);

    /// <summary>The plain prompt, or the conversation as "role: content" lines.</summary>
    public static string RoleLines(PromptText prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return prompt.Text ?? string.Join("\n", prompt.Messages!.Select(m => $"{m.Role}: {m.Content}"));
    }
}
