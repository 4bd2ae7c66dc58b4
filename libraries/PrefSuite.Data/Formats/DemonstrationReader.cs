namespace PrefSuite.Data.Formats;

/// <summary>Reads an SFT corpus: JSONL rows {"prompt": string, "response": string}; other fields are errors.</summary>
public static class DemonstrationReader
{
    public static async Task<IReadOnlyList<(string Prompt, string Response)>> ReadAllAsync(string path, CancellationToken cancellationToken = default)
    {
        var rows = new List<(string, string)>();
        await foreach (var (line, document) in JsonLines.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            using (document)
            {
                var fields = new JsonFields(path, line, document.RootElement);
                fields.RejectUnknown("prompt", "response");
                rows.Add((fields.RequireString("prompt"), fields.RequireString("response")));
            }
        }

        return rows.Count > 0 ? rows : throw new DataFormatException(path, 0, null, "the corpus has no rows");
    }
}
