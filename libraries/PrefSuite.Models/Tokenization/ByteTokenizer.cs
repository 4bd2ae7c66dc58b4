using System.Text;

namespace PrefSuite.Models.Tokenization;

/// <summary>UTF-8 bytes as tokens (0–255) plus PAD 256, BOS 257, EOS 258: encodes any text.</summary>
public sealed class ByteTokenizer : ITextTokenizer
{
    public const string TokenizerName = "bytes-v1";

    public string Name => TokenizerName;

    public int VocabularySize => 259;

    public int PadId => 256;

    public int BosId => 257;

    public int EosId => 258;

    public int[] Encode(string text) => Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray();

    public string Decode(IEnumerable<int> ids) => Encoding.UTF8.GetString(ids.Where(i => i is >= 0 and < 256).Select(i => (byte)i).ToArray());
}
