using PrefSuite.Science.Augmentation;

namespace PrefSuite.Models.Policy;

/// <summary>
/// How a policy turns prompts and responses into tokens and back. One convention everywhere (sampling, scoring,
/// implicit rewards, training): a text prompt is used as raw text; a message prompt is its chat template rendered with
/// the generation prompt, and a response to it is the rendered full conversation minus the rendered prompt.
/// </summary>
public interface IPolicyTokens
{
    /// <summary>A stable identity of the tokenizer and template, recorded in caches and manifests.</summary>
    string Identity { get; }

    int VocabularySize { get; }

    /// <summary>The id that fills padded positions.</summary>
    int PadId { get; }

    /// <summary>Ids that end a response (the model's EOS / end-of-turn tokens); the first is the one appended to responses.</summary>
    IReadOnlyList<int> StopIds { get; }

    /// <summary>Ids sampling never draws (the built-in model's PAD and BOS).</summary>
    IReadOnlyList<int> NeverSampled { get; }

    /// <summary>The tokens the model reads before its response.</summary>
    int[] EncodePrompt(PromptText prompt);

    /// <summary>The response's tokens as the model writes them after the prompt, ending with a stop token.</summary>
    int[] EncodeResponse(PromptText prompt, string response);

    /// <summary>The text of sampled response tokens (without the stop token); special tokens are dropped.</summary>
    string DecodeResponse(IReadOnlyList<int> tokens);
}
