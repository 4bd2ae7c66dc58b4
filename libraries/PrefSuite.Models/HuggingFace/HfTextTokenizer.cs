using PrefSuite.Models.Tokenization;

namespace PrefSuite.Models.HuggingFace;

/// <summary>
/// A Hugging Face tokenizer.json seen as an <see cref="ITextTokenizer"/> (for reward bundles): its special ids are the
/// ones the bundle names; an id the bundle does not name is −1 and may not be used.
/// </summary>
public sealed class HfTextTokenizer(HfTokenizer tokenizer, int padId, int bosId, int eosId) : ITextTokenizer, IDisposable
{
    public string Name => tokenizer.Identity;

    public int VocabularySize => tokenizer.VocabularySize;

    public int PadId => padId;

    public int BosId => bosId;

    public int EosId => eosId;

    public int[] Encode(string text) => tokenizer.Encode(text);

    public string Decode(IEnumerable<int> ids) => tokenizer.Decode(ids);

    public void Dispose() => tokenizer.Dispose();
}
