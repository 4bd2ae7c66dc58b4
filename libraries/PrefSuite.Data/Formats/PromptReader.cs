using System.Globalization;
using System.Runtime.CompilerServices;
using PrefSuite.Data.Rows;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Data.Formats;

/// <summary>A prompt to sample from, with its id and where it came from.</summary>
public sealed record PromptRow(string PromptId, PromptText Prompt)
{
    public RowLocation? Source { get; init; }
}

/// <summary>How prompt-only datasets are read.</summary>
public sealed record PromptReadOptions
{
    /// <summary>The prompt column (default: "prompt", else "instruction").</summary>
    public string? PromptKey { get; init; }

    /// <summary>The id column (default "prompt_id"; without one the id is the SHA-256 of the prompt).</summary>
    public string? IdKey { get; init; }

    /// <summary>Refuse other columns instead of ignoring them with a note.</summary>
    public bool Strict { get; init; }

    public FieldNotes? Notes { get; init; }
}

/// <summary>
/// Reads prompts from JSONL or Parquet: TRL prompt-only rows ({"prompt"} as a string or a list of messages),
/// PrefSuite's {"prompt_id", "prompt"}, UltraFeedback and distilabel rows ({"instruction"}), or any column named by
/// --prompt-key. Other columns (responses, scores, metadata) are ignored with a note, or refused under --strict.
/// </summary>
public static class PromptReader
{
    public static async IAsyncEnumerable<PromptRow> ReadAsync(string path, PromptReadOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new PromptReadOptions();
        using var ids = new IdSet();
        string? promptKey = options.PromptKey;
        var idKey = options.IdKey ?? "prompt_id";
        await foreach (var (location, document) in JsonLines.ReadRowsAsync(path, cancellationToken).ConfigureAwait(false))
        {
            using (document)
            {
                var fields = new JsonFields(path, location, document.RootElement);
                promptKey ??= fields.Has("prompt") ? "prompt" : fields.Has("instruction") ? "instruction"
                    : throw fields.Error("prompt", $"is missing (the row has {string.Join(", ", fields.Names.Take(12))}); name the prompt column with --prompt-key");
                foreach (var name in fields.Names)
                {
                    if (name == promptKey || name == idKey)
                    {
                        continue;
                    }

                    if (options.Strict)
                    {
                        throw fields.Error(name, "is not a prompt column (--strict)");
                    }

                    options.Notes?.Ignore(name, location);
                }

                var prompt = fields.RequireText(promptKey);
                var explicitId = fields.OptionalString(idKey);
                var id = explicitId ?? ScoredPromptReader.IdFor(prompt);
                if (!ids.Add(IdSet.Hash(id)))
                {
                    if (explicitId is not null)
                    {
                        var earlier = await ScoredPromptReader.FirstRowWithIdAsync(path, idKey, id, cancellationToken).ConfigureAwait(false);
                        throw fields.Error(idKey, $"'{id}' repeats the prompt of {(earlier is { } e ? e.ToString() : "an earlier row")}");
                    }

                    id += location.IsParquet
                        ? string.Create(CultureInfo.InvariantCulture, $"-R{location.Row}")
                        : string.Create(CultureInfo.InvariantCulture, $"-L{location.Line}");
                    ids.Add(IdSet.Hash(id));
                }

                yield return new PromptRow(id, prompt) { Source = location };
            }
        }
    }

    public static async Task<IReadOnlyList<PromptRow>> ReadAllAsync(string path, PromptReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        var rows = new List<PromptRow>();
        await foreach (var row in ReadAsync(path, options, cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row);
        }

        return rows.Count > 0 ? rows : throw new DataFormatException(path, 0, null, "the file has no prompts");
    }
}
