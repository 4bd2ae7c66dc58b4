namespace PrefSuite.Models.Tokenization;

/// <summary>Turns text into token ids and back; every tokenizer has PAD, BOS and EOS ids.</summary>
public interface ITextTokenizer
{
    /// <summary>A stable identity recorded in checkpoints, e.g. "sorting-v1", "bytes-v1", "gpt2".</summary>
    string Name { get; }

    int VocabularySize { get; }

    int PadId { get; }

    int BosId { get; }

    int EosId { get; }

    /// <summary>Token ids of the text, without BOS or EOS. Throws <see cref="FormatException"/> for text it cannot encode.</summary>
    int[] Encode(string text);

    /// <summary>The text of the ids; PAD, BOS and EOS are skipped.</summary>
    string Decode(IEnumerable<int> ids);
}
