using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PrefSuite.Data.Rows;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Data.Formats;

/// <summary>
/// Reads prompts with scored responses from JSONL or Parquet in any known layout — PrefSuite's scored prompts,
/// openbmb/UltraFeedback, ultrafeedback_binarized and other TRL preference rows, distilabel — or one named by a
/// column mapping, validating every field. Streams: rows are parsed in parallel and yielded in file order.
/// </summary>
public static class ScoredPromptReader
{
    /// <summary>Every prompt in file order, streamed.</summary>
    public static async IAsyncEnumerable<ScoredPrompt> ReadAsync(string path, ScoredReadOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new ScoredReadOptions();
        await using var rows = await DatasetRows.OpenAsync(path, cancellationToken).ConfigureAwait(false);
        var layout = await Selection.StreamingPairSelector.ResolveLayoutAsync(rows, options, cancellationToken).ConfigureAwait(false);
        NoteUnreadColumns(rows, layout, options);
        using var ids = new IdSet();
        await foreach (var batch in rows.MapInOrderAsync(chunk => Convert(chunk, layout, options, path), layout.Reads, cancellationToken).ConfigureAwait(false))
        {
            batch.Parser.Report(options.Notes);
            options.Notes?.CountUnrated(batch.Unrated);
            foreach (var prompt in batch.Prompts)
            {
                if (ids.Add(IdSet.Hash(prompt.PromptId)))
                {
                    yield return prompt;
                    continue;
                }

                if (layout.RepeatedIdsAreErrors && prompt.Source is { } at)
                {
                    var earlier = await FirstRowWithIdAsync(path, layout.Id?.Name ?? "prompt_id", prompt.PromptId, cancellationToken).ConfigureAwait(false);
                    throw new DataFormatException(path, at, layout.Id?.Name ?? "prompt_id", $"'{prompt.PromptId}' repeats the prompt of {(earlier is { } e ? e.ToString() : "an earlier row")}");
                }

                // Public datasets repeat prompts: imported rows keep apart by their line (or Parquet row).
                var suffix = prompt.Source is { IsParquet: true } row
                    ? string.Create(CultureInfo.InvariantCulture, $"-R{row.Row}")
                    : string.Create(CultureInfo.InvariantCulture, $"-L{prompt.SourceLine}");
                var renamed = prompt with { PromptId = prompt.PromptId + suffix };
                ids.Add(IdSet.Hash(renamed.PromptId));
                yield return renamed;
            }
        }
    }

    public static async Task<IReadOnlyList<ScoredPrompt>> ReadAllAsync(string path, ScoredReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        var prompts = new List<ScoredPrompt>();
        await foreach (var prompt in ReadAsync(path, options, cancellationToken).ConfigureAwait(false))
        {
            prompts.Add(prompt);
        }

        return prompts;
    }

    /// <summary>A stable id for a prompt without one: the SHA-256 of its text, as ultrafeedback_binarized does.</summary>
    public static string IdFor(PromptText prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var text = prompt.Text ?? string.Join("\n", prompt.Messages!.Select(m => $"{m.Role}: {m.Content}"));
        return System.Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Parquet columns a layout does not read are never assembled: they are noted here (or refused under --strict).</summary>
    internal static void NoteUnreadColumns(DatasetRows rows, RowLayout layout, ScoredReadOptions read)
    {
        foreach (var column in rows.Columns ?? [])
        {
            if (layout.Reads(column) || layout.KnownTop.Contains(column))
            {
                continue;
            }

            if (read.Strict)
            {
                throw new DataFormatException(rows.Name, null, column, $"is not a known column of the {ScoredRowParser.Describe(layout.Format)} format (--strict)");
            }

            read.Notes?.Ignore(column, RowLocation.OfParquet(0, 0, 0));
        }
    }

    /// <summary>The first row whose id column equals <paramref name="id"/> (only looked up to explain a repeated id).</summary>
    internal static async Task<RowLocation?> FirstRowWithIdAsync(string path, string column, string id, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        await foreach (var (location, document) in JsonLines.ReadRowsAsync(path, cancellationToken).ConfigureAwait(false))
        {
            using (document)
            {
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(column, out var value)
                    && value.ValueKind == JsonValueKind.String && value.GetString() == id)
                {
                    return location;
                }
            }
        }

        return null;
    }

    /// <summary>The id of the row at <paramref name="location"/> of a JSONL or Parquet file, read again (only to explain a repeated id); null when the rows came from elsewhere.</summary>
    internal static async Task<string?> IdAtAsync(string path, string column, RowLocation location, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        await using var rows = await DatasetRows.OpenAsync(path, cancellationToken).ConfigureAwait(false);
        await foreach (var chunk in rows.ReadChunksAsync(name => name == column, cancellationToken).ConfigureAwait(false))
        {
            using (chunk)
            {
                for (var i = 0; i < chunk.Count; i++)
                {
                    if (chunk.Location(i) == location)
                    {
                        using var document = JsonDocument.Parse(chunk.Buffer.AsMemory(chunk.Start(i), chunk.Row(i).Length));
                        return document.RootElement.TryGetProperty(column, out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>Turns a parsed row into a prompt with decoded texts and heads.</summary>
    internal static ScoredPrompt ToPrompt(ScoredRowParser parser, ParsedRow row, ReadOnlySpan<byte> json, string file)
    {
        var layout = parser.Layout;
        var location = row.Location;
        var promptBytes = row.Prompt.Of(json);
        var prompt = row.PromptIsMessages
            ? PromptText.FromMessages(JsonTokens.Messages(promptBytes, row.PromptNeedsClose))
            : PromptText.FromText(JsonTokens.Decode(promptBytes, file, location, layout.Prompt.Name));
        var id = row.IdIsHash ? Encoding.ASCII.GetString(row.HashId, 1, 64) : JsonTokens.Decode(row.Id.Of(json), file, location, layout.Id?.Name ?? "prompt_id");
        var responses = new ScoredResponse[row.Count];
        for (var i = 0; i < row.Count; i++)
        {
            var field = layout.IsPair ? (i == 0 ? layout.Chosen.Name : layout.Rejected.Name) : $"{layout.Responses.Name}[{row.OriginalIndex[i]}]";
            var text = JsonTokens.Decode(row.Texts[i].Of(json), file, location, field);
            IReadOnlyDictionary<string, double>? heads = null;
            if (row.Heads[i].Length > 0)
            {
                heads = layout.AnnotationHeads ? Aspects(row.Heads[i].Of(json)) : parser.ReadHeads(json, row.Heads[i], $"{field}.rewards");
                heads = heads.Count > 0 ? heads : null;
            }

            responses[i] = new ScoredResponse(text, row.Rewards[i], heads, Nullable(row.Implicit[i]), Nullable(row.Logprobs[i]), Nullable(row.Denoised[i]));
        }

        return new ScoredPrompt(id, prompt, responses)
        {
            SourceFile = file,
            SourceLine = location.IsParquet ? 0 : (int)Math.Min(location.Line, int.MaxValue),
            Source = location,
        };
    }

    private static double? Nullable(double value) => double.IsNaN(value) ? null : value;

    /// <summary>UltraFeedback's annotations: each aspect's "Rating" (a string such as "4"; "N/A" is not a rating).</summary>
    private static Dictionary<string, double> Aspects(ReadOnlySpan<byte> json)
    {
        var heads = new Dictionary<string, double>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json.ToArray());
        foreach (var aspect in document.RootElement.EnumerateObject())
        {
            if (aspect.Value.ValueKind == JsonValueKind.Object && aspect.Value.TryGetProperty("Rating", out var rating)
                && rating.ValueKind is JsonValueKind.String or JsonValueKind.Number
                && double.TryParse(rating.ValueKind == JsonValueKind.String ? rating.GetString() : rating.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                && double.IsFinite(value))
            {
                heads[aspect.Name] = value;
            }
        }

        return heads;
    }

    private static Batch Convert(RowChunk chunk, RowLayout layout, ScoredReadOptions options, string file)
    {
        using (chunk)
        {
            var parser = new ScoredRowParser(layout, options, file);
            var prompts = new List<ScoredPrompt>(chunk.Count);
            long unrated = 0;
            for (var i = 0; i < chunk.Count; i++)
            {
                var json = chunk.Row(i);
                var row = parser.Parse(json, chunk.Location(i));
                unrated += row.Unrated;
                prompts.Add(ToPrompt(parser, row, json, file));
            }

            return new Batch(prompts, parser, unrated);
        }
    }

    private sealed record Batch(List<ScoredPrompt> Prompts, ScoredRowParser Parser, long Unrated);
}
