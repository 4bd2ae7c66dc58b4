using PrefSuite.Models.Tokenization;

namespace PrefSuite.Models.Tests.Tokenization;

public class TokenizerTests
{
    [Fact]
    public void SortingVocabularyHasFifteenTokens()
    {
        var tokenizer = new SortingTokenizer();
        Assert.Equal(15, tokenizer.VocabularySize);
        Assert.Equal([12, 3, 1, 2, 13], tokenizer.Encode("sort 3 1 2 ="));
        Assert.Equal("1 2 3", tokenizer.Decode([tokenizer.BosId, 1, 2, 3, tokenizer.EosId, tokenizer.PadId]));
        Assert.Throws<FormatException>(() => tokenizer.Encode("sort 12 ="));
    }

    [Fact]
    public void BytesAndGpt2RoundTripText()
    {
        foreach (var name in new[] { ByteTokenizer.TokenizerName, Gpt2Tokenizer.TokenizerName })
        {
            var tokenizer = Models.Tokenization.Tokenizers.Create(name);
            var text = "Sort these: 3, 1, 2 — naïve café";
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        }

        Assert.Equal([15496, 995], new Gpt2Tokenizer().Encode("Hello world"));
    }
}
