using PrefSuite.Models.HuggingFace;

namespace PrefSuite.Models.Tests.HuggingFace;

public sealed class HfTokenizerTests : IDisposable
{
    private readonly TempFolder folder = new();

    [Fact]
    public void ByteLevelBpeAppliesMergesByRankAsDerivedByHand()
    {
        TinyCheckpoints.WriteTokenizer(folder.Path);
        using var tokenizer = HfTokenizer.Load(Path.Combine(folder.Path, "tokenizer.json"));
        // "hello": h e l l o → (h,e) he → (l,l) ll → (he,ll) hell → (hell,o) hello.
        // " world": Ġ w o r l d → (Ġ,w) Ġw → (o,r) or → Ġw or l d. Ids: merges are 256 + rank, bytes are their value.
        Assert.Equal(new[] { 256 + 3, 256 + 4, 256 + 5, 'l', 'd' }, tokenizer.Encode("hello world"));
        Assert.Equal("hello world", tokenizer.Decode(tokenizer.Encode("hello world")));
        Assert.Equal(303, tokenizer.VocabularySize);
    }

    [Fact]
    public void SpecialTokensInTextAreMatchedAndDroppedWhenDecoding()
    {
        TinyCheckpoints.WriteTokenizer(folder.Path);
        using var tokenizer = HfTokenizer.Load(Path.Combine(folder.Path, "tokenizer.json"));
        var ids = tokenizer.Encode("<|im_start|>hi<|im_end|>");
        Assert.Equal(new[] { 301, 'h', 'i', 302 }, ids);
        Assert.Equal("hi", tokenizer.Decode(ids));
        Assert.Equal(302, tokenizer.TokenId("<|im_end|>"));
        Assert.Empty(tokenizer.PostProcessorPrefix);
    }

    [Fact]
    public void UnicodeRoundTripsThroughByteTokens()
    {
        TinyCheckpoints.WriteTokenizer(folder.Path);
        using var tokenizer = HfTokenizer.Load(Path.Combine(folder.Path, "tokenizer.json"));
        const string text = "naïve café — 日本 🙂";
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void AMissingTokenizerFileIsNamed()
    {
        var error = Assert.Throws<CheckpointException>(() => HfTokenizer.Load(Path.Combine(folder.Path, "tokenizer.json")));
        Assert.Contains("tokenizer.json", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => folder.Dispose();
}
