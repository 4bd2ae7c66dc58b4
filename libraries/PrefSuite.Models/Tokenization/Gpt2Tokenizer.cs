using Microsoft.ML.Tokenizers;

namespace PrefSuite.Models.Tokenization;

/// <summary>GPT-2's byte-level BPE (Microsoft.ML.Tokenizers, offline data): &lt;|endoftext|&gt; (50256) is BOS and EOS, PAD is 50257.</summary>
public sealed class Gpt2Tokenizer : ITextTokenizer
{
    public const string TokenizerName = "gpt2";
    private static readonly Lazy<TiktokenTokenizer> Shared = new(() => TiktokenTokenizer.CreateForModel("gpt2"));

    public string Name => TokenizerName;

    public int VocabularySize => 50258;

    public int PadId => 50257;

    public int BosId => 50256;

    public int EosId => 50256;

    public int[] Encode(string text) => Shared.Value.EncodeToIds(text).ToArray();

    public string Decode(IEnumerable<int> ids) => Shared.Value.Decode(ids.Where(i => i < 50256));
}
