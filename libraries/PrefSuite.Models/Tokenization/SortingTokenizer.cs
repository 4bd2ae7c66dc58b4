namespace PrefSuite.Models.Tokenization;

/// <summary>
/// The demo task's word-level vocabulary of 15 tokens: digits 0–9, &lt;pad&gt;, &lt;bos&gt;, "sort", "=", &lt;eos&gt;. Text is
/// tokens separated by spaces: "sort 3 1 2 =" and "1 2 3".
/// </summary>
public sealed class SortingTokenizer : ITextTokenizer
{
    public const string TokenizerName = "sorting-v1";
    public const int SortId = 12;
    public const int EqualsId = 13;

    public string Name => TokenizerName;

    public int VocabularySize => 15;

    public int PadId => 10;

    public int BosId => 11;

    public int EosId => 14;

    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ids = new int[words.Length];
        for (var i = 0; i < words.Length; i++)
        {
            ids[i] = words[i] switch
            {
                [var c] when c is >= '0' and <= '9' => c - '0',
                "sort" => SortId,
                "=" => EqualsId,
                _ => throw new FormatException($"'{words[i]}' is not in the sorting vocabulary (digits, 'sort', '=')."),
            };
        }

        return ids;
    }

    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return string.Join(' ', ids.Where(i => i is (>= 0 and <= 9) or SortId or EqualsId).Select(i => i switch
        {
            SortId => "sort",
            EqualsId => "=",
            _ => ((char)('0' + i)).ToString(),
        }));
    }
}
