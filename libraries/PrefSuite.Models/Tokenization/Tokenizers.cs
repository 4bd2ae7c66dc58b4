namespace PrefSuite.Models.Tokenization;

/// <summary>The tokenizers PrefSuite knows, by the name recorded in checkpoints and reward bundles.</summary>
public static class Tokenizers
{
    public static IReadOnlyList<string> Names { get; } = [SortingTokenizer.TokenizerName, ByteTokenizer.TokenizerName, Gpt2Tokenizer.TokenizerName];

    public static ITextTokenizer Create(string name) => name switch
    {
        SortingTokenizer.TokenizerName => new SortingTokenizer(),
        ByteTokenizer.TokenizerName => new ByteTokenizer(),
        Gpt2Tokenizer.TokenizerName => new Gpt2Tokenizer(),
        _ => throw new ArgumentException($"Unknown tokenizer '{name}'; known: {string.Join(", ", Names)}.", nameof(name)),
    };
}
