using PrefSuite.Data.Rows;

namespace PrefSuite.Data.Formats;

/// <summary>
/// Fields a reader met but did not use (extra dataset columns, typos): each name once, with the first row it was
/// seen in, so the command can say what it ignored. Under --strict the reader refuses them instead.
/// </summary>
public sealed class FieldNotes
{
    private readonly Dictionary<string, RowLocation> _ignored = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Ignored field names (as JSON paths such as "source" or "completions[].model") and where each was first seen.</summary>
    public IReadOnlyList<(string Field, RowLocation FirstSeen)> Ignored
    {
        get
        {
            lock (_lock)
            {
                return [.. _ignored.OrderBy(e => e.Value.IsParquet ? e.Value.Row : e.Value.Line).ThenBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, e.Value))];
            }
        }
    }

    /// <summary>Responses dropped because they carried no rating (distilabel's null ratings).</summary>
    public long UnratedResponses { get; private set; }

    public void Ignore(string field, RowLocation location)
    {
        lock (_lock)
        {
            if (!_ignored.TryGetValue(field, out var earlier) || Before(location, earlier))
            {
                _ignored[field] = location;
            }
        }
    }

    /// <summary>Forgets everything (a command that reads its input twice notes the last pass only).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _ignored.Clear();
            UnratedResponses = 0;
        }
    }

    public void CountUnrated(long count)
    {
        lock (_lock)
        {
            UnratedResponses += count;
        }
    }

    /// <summary>One line for the user, or null when nothing was ignored.</summary>
    public string? Describe(string file)
    {
        var ignored = Ignored;
        var parts = new List<string>();
        if (ignored.Count > 0)
        {
            parts.Add($"ignored fields this format does not use: {string.Join(", ", ignored.Take(12).Select(i => $"{i.Field} ({i.FirstSeen})"))}{(ignored.Count > 12 ? $" and {ignored.Count - 12} more" : string.Empty)} (--strict refuses them)");
        }

        if (UnratedResponses > 0)
        {
            parts.Add($"skipped {UnratedResponses} responses without a rating");
        }

        return parts.Count == 0 ? null : $"note: {Path.GetFileName(file)}: {string.Join("; ", parts)}";
    }

    private static bool Before(RowLocation a, RowLocation b) => a.IsParquet ? a.Row < b.Row : a.Line < b.Line;
}
